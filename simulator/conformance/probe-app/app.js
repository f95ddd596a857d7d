/* global App */
App({});
