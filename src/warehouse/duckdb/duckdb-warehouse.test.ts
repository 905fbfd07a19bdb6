import { join } from 'node:path';
import { describeWarehouse } from '../../../tests/support/warehouse-contract.js';
import { openDuckDbWarehouse } from './duckdb-warehouse.js';

describeWarehouse('DuckDB', (dir) => openDuckDbWarehouse({ tempDirectory: join(dir, 'tmp') }));
