// The mini program's App instance shape (miniprogram/app.ts), global like WeChat's project template declares it.
// Type-only imports keep this file a global declaration and free of wx typings, so the node-side tsconfig can read it.

interface IAppOption {
  /** the fields the 小微聚付/PayJS sample App.onShow keeps: the last return's display hints, never proof of payment */
  globalData: import('../miniprogram/lib/runtime').PayGlobalData;
  /** the app's services (API client, return watcher, pending store, confirmer), built once at launch */
  runtime: import('../miniprogram/lib/runtime').AppRuntime;
}
