export { copyInto } from './copy-into.js';
export { createTable, createView, dropRelation } from './create-table.js';
export { createDatabase, createSchema, dropDatabase, dropSchema, type CreateHead } from './database.js';
export { describe } from './describe.js';
export { createFileFormat, dropFileFormat } from './file-format.js';
export { PASSTHROUGH, passThrough } from './passthrough.js';
export { showObjects } from './show.js';
export { use } from './use.js';
export { createWarehouse, dropWarehouse } from './warehouse.js';
