import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenize } from './tokens.js';
import { parseType, snowflakeTypeDetail, snowflakeTypeName } from './types.js';

const duck = (text: string): string => parseType(tokenize(text), 0).duckdb;

describe('parseType', () => {
  it('maps Snowflake types to DuckDB storage', () => {
    assert.equal(duck('int'), 'BIGINT');
    assert.equal(duck('number'), 'BIGINT');
    assert.equal(duck('NUMBER(38,0)'), 'BIGINT');
    assert.equal(duck('number(10, 2)'), 'DECIMAL(10,2)');
    assert.equal(duck('float'), 'DOUBLE');
    assert.equal(duck('double precision'), 'DOUBLE');
    assert.equal(duck('varchar(100)'), 'VARCHAR');
    assert.equal(duck('string'), 'VARCHAR');
    assert.equal(duck('text'), 'VARCHAR');
    assert.equal(duck('char varying(3)'), 'VARCHAR');
    assert.equal(duck('timestamp_ntz(9)'), 'TIMESTAMP');
    assert.equal(duck('timestamp_tz'), 'TIMESTAMPTZ');
    assert.equal(duck('variant'), 'JSON');
    assert.equal(duck('binary'), 'BLOB');
  });

  it('returns the position after the type', () => {
    assert.equal(parseType(tokenize('number(10,2) not null'), 0).next, 6);
    assert.equal(parseType(tokenize('double precision,'), 0).next, 2);
  });

  it('rejects unknown types and bad arguments, naming what is supported', () => {
    assert.throws(() => duck('geography'), /Unsupported data type 'GEOGRAPHY'\. Supported types: NUMBER/);
    assert.throws(() => duck('number(40,0)'), /precision must be 1-38/);
    assert.throws(() => duck('varchar(x)'), /expected a number/);
  });
});

describe('Snowflake type names of DuckDB columns', () => {
  it('names result columns and DESCRIBE types', () => {
    assert.equal(snowflakeTypeName('BIGINT'), 'NUMBER');
    assert.equal(snowflakeTypeName('DOUBLE'), 'FLOAT');
    assert.equal(snowflakeTypeName('JSON'), 'VARIANT');
    assert.equal(snowflakeTypeName('TIMESTAMP'), 'TIMESTAMP_NTZ');
    assert.equal(snowflakeTypeName('INTEGER[]'), 'ARRAY');
    assert.equal(snowflakeTypeDetail('BIGINT'), 'NUMBER(38,0)');
    assert.equal(snowflakeTypeDetail('DECIMAL(10,2)'), 'NUMBER(10,2)');
    assert.equal(snowflakeTypeDetail('VARCHAR'), 'VARCHAR(16777216)');
    assert.equal(snowflakeTypeDetail('TIMESTAMP'), 'TIMESTAMP_NTZ(9)');
  });
});
