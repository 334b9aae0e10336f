/** `fileOps`: the approved directories of the file operations. */
import { Type } from '@sinclair/typebox';
import { DirPair, PathSetting } from './common';
import { optionalString, section } from './kit';

export const FileOpsSection = section(
  {
    copy: Type.Array(DirPair, {
      default: [],
      description: 'Approved { from, to } directory pairs for /v4/filecopy.',
    }),
    move: Type.Array(DirPair, {
      default: [],
      description: 'Approved { from, to } directory pairs for /v4/filemove.',
    }),
    delete: Type.Array(PathSetting, {
      default: [],
      description: 'Directories in which /v4/filedelete may delete.',
    }),
    createDir: Type.Array(PathSetting, {
      default: [],
      description: 'Roots under which /v4/createdir may create directories.',
    }),
    qvdRoot: optionalString('Root for /v4/createdirqvd.'),
  },
  { description: 'Approved directories for file operations; nothing is approved unless listed.' },
);
