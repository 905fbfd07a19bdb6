import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDuckDbWarehouse, type Warehouse } from '../warehouse/index.js';
import { AccessControl, functionObject } from './index.js';

describe('AccessControl', () => {
  let wh: Warehouse;
  let access: AccessControl;
  before(async () => {
    wh = await openDuckDbWarehouse();
    access = await AccessControl.open(wh, '"memory"."main"');
  });
  after(() => wh.close());

  it('has the built-in hierarchy: ACCOUNTADMIN ⊃ SECURITYADMIN ⊃ USERADMIN, ACCOUNTADMIN ⊃ SYSADMIN, all ⊃ PUBLIC', () => {
    assert.deepEqual([...access.effectiveRoles('ACCOUNTADMIN')].sort(), [
      'ACCOUNTADMIN',
      'PUBLIC',
      'SECURITYADMIN',
      'SYSADMIN',
      'USERADMIN',
    ]);
    assert.deepEqual([...access.effectiveRoles('SYSADMIN')].sort(), ['PUBLIC', 'SYSADMIN']);
    assert.ok(access.hasUsage('ACCOUNTADMIN', 'invoke_model') && access.hasUsage('SYSADMIN', 'train_and_get_recommendations', 3));
    assert.ok(!access.hasUsage('PUBLIC', 'invoke_model') && !access.hasUsage('USERADMIN', 'deploy_model'));
  });

  it('lets every one of many concurrent writers read its own write as soon as it returns', async () => {
    await access.createRole('MANY', 'USERADMIN', null, false);
    const names = Array.from({ length: 24 }, (_, i) => `fn_${i}`);
    const unseen: string[] = [];
    await Promise.all(
      names.map(async (name, i) => {
        // Owner records interleave with the grants, as a SQL function's background write does.
        if (i % 2 === 0) void access.recordOwnership({ kind: 'TABLE', name: `DB.PUBLIC.T${i}` }, 'SYSADMIN');
        await access.grant(['USAGE'], functionObject({ name, argTypes: [] }), 'MANY', 'ACCOUNTADMIN');
        if (!access.hasUsage('MANY', name)) unseen.push(name);
      }),
    );
    assert.deepEqual(unseen, [], 'a grant not yet visible to the caller that made it');
    await access.dropRole('MANY', 'ACCOUNTADMIN');
  });

  it('matches function grants by exact types, by arity, or by name alone', async () => {
    await access.createRole('SCORER', 'USERADMIN', null, false);
    await access.grant(['USAGE'], functionObject({ name: 'score', argTypes: ['string', 'number(38,0)'] }), 'SCORER', 'ACCOUNTADMIN');
    assert.ok(access.hasUsage('SCORER', 'SCORE', ['VARCHAR', 'INT']));
    assert.ok(!access.hasUsage('SCORER', 'SCORE', ['VARCHAR', 'FLOAT']));
    assert.ok(access.hasUsage('SCORER', 'score', 2) && !access.hasUsage('SCORER', 'score', 1));
    assert.ok(access.hasUsage('SCORER', 'score'));
    assert.equal(access.functionOwner('score'), null, 'no one owns a function recpipe has not seen created');
    await access.recordOwnership(functionObject({ name: 'score', argTypes: ['varchar', 'number'] }), 'SYSADMIN');
    assert.ok(access.hasUsage('ACCOUNTADMIN', 'score', ['text', 'bigint']), 'the owner, inherited');
    await access.dropRole('SCORER', 'ACCOUNTADMIN');
    assert.ok(!access.hasUsage('SCORER', 'score'));
  });
});
