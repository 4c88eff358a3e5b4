export * from './source.js';
export * from './directory.js';
export * from './uac.js';
export * from './iis.js';
export * from './finding.js';
export * from './audit.js';
