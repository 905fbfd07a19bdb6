export { quickstartData, type QuickstartData, type DataOptions } from './data.js';
export { playGuide, ENDPOINT, type QuickstartOutput, type QuickstartSummary } from './run.js';
