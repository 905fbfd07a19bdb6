export * from './config.js';
export * from './home-files.js';
export * from './server-info.js';
export { recpipeVersion } from './version.js';
