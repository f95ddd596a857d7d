/** A routing call's failure reason, reported as "<api>:fail <message>". */
export class RouteError extends Error {}

/** An async wx API's failure reason, reported as "<api>:fail <errMsg>". */
export class ApiFailure {
  constructor(readonly errMsg: string) {}
}

/** Throw inside an async API to fail it with "<api>:fail <reason>". */
export function fail(reason: string): never {
  throw new ApiFailure(reason);
}

/** The project itself is wrong (a component path that resolves to nothing, a page without a template...): a compile
 * error in DevTools, never something the app's code threw. */
export class ConfigError extends Error {}
