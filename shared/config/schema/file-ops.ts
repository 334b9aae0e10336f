/** `fileOps`: the approved directories of the file operations. */
import { DirPair, PathSetting } from './common';
import { listSetting, optionalString, section } from './kit';

export const FileOpsSection = section(
  {
    copy: listSetting(DirPair, 'Approved { from, to } directory pairs for /v4/filecopy.'),
    move: listSetting(DirPair, 'Approved { from, to } directory pairs for /v4/filemove.'),
    delete: listSetting(PathSetting, 'Directories in which /v4/filedelete may delete.'),
    createDir: listSetting(PathSetting, 'Roots under which /v4/createdir may create directories.'),
    qvdRoot: optionalString('Root for /v4/createdirqvd.'),
  },
  { description: 'Approved directories for file operations; nothing is approved unless listed.' },
);
