import { createMemoryStateStore } from '../../shared/state/memory-store';
import { storeConformance } from './store-conformance';

storeConformance('memory', () => ({ open: () => Promise.resolve(createMemoryStateStore()) }));
