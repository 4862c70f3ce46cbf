// Worker threads do not inherit the TypeScript loader of the main thread (tsx's hooks are
// registered per thread), so the import thread registers it itself before loading its code.
import { register } from 'tsx/esm/api';

register();
await import('./importWorker.ts');
