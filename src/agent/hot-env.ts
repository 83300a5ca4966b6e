// Types for `import.meta.hot` and `module.hot` in a TypeScript app served by the agent:
//   /// <reference types="auto-hot-reload/hot" />   (or: import type {} from 'auto-hot-reload/hot')
import type { Hot } from './lifecycle/hot.js';

declare global {
  interface ImportMeta {
    /** this module instance's hot-reload context (auto-hot-reload agent) */
    readonly hot: Hot;
  }
  namespace NodeJS {
    interface Module {
      /** this module instance's hot-reload context (auto-hot-reload agent) */
      hot: Hot;
    }
  }
}

export type { DisposeCallback, Hot, HotData } from './lifecycle/hot.js';
