// jsforce 3, unchanged, against the Salesforce mock: Bulk 1.0 and 2.0 loads and queries,
// composite, retrieve([ids]) and a query-based update and delete of more than 200
// records (which jsforce sends through the Bulk API by itself). Prints one JSON summary.
const jsforce = require('jsforce');

const [url, username, password, count] = process.argv.slice(2);
const N = Number(count);
const polling = { pollInterval: 100, pollTimeout: 120000 };

function records(stream) {
  return new Promise((resolve, reject) => {
    const out = [];
    stream.on('record', (r) => out.push(r));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

(async () => {
  const conn = new jsforce.Connection({ loginUrl: url, version: '59.0' });
  await conn.login(username, password);
  conn.bulk.pollInterval = polling.pollInterval;
  conn.bulk.pollTimeout = polling.pollTimeout;
  conn.bulk2.pollInterval = polling.pollInterval;
  conn.bulk2.pollTimeout = polling.pollTimeout;
  const out = {};

  const leads = (prefix) => Array.from({ length: N }, (_, i) => ({
    LastName: `${prefix}${String(i).padStart(5, '0')}`, Company: 'Js Co' }));

  const loaded = await conn.bulk.load('Lead', 'insert', leads('Ja'));
  out.bulkLoad = { total: loaded.length, ok: loaded.filter((r) => r.success).length };
  const queried = await records(
    await conn.bulk.query("SELECT Id, LastName FROM Lead WHERE LastName LIKE 'Ja%'"));
  out.bulkQuery = { total: queried.length, first: queried[0] };

  const loaded2 = await conn.bulk2.loadAndWaitForResults({
    object: 'Lead', operation: 'insert', input: leads('Jb'), ...polling });
  out.bulk2Load = { ok: loaded2.successfulResults.length, failed: loaded2.failedResults.length };
  const queried2 = await records(await conn.bulk2.query(
    "SELECT Id, LastName FROM Lead WHERE LastName LIKE 'Jb%'", polling));
  out.bulk2Query = { total: queried2.length };

  const composite = await conn.requestPost('/composite', {
    allOrNone: true,
    compositeRequest: [
      { method: 'POST', url: '/services/data/v59.0/sobjects/Account', referenceId: 'acct',
        body: { Name: 'Js Account' } },
      { method: 'POST', url: '/services/data/v59.0/sobjects/Contact', referenceId: 'who',
        body: { LastName: 'Js Contact', AccountId: '@{acct.id}' } },
    ],
  });
  out.composite = composite.compositeResponse.map((r) => r.httpStatusCode);
  const tree = await conn.requestPost('/composite/tree/Account', { records: [
    { attributes: { type: 'Account', referenceId: 'a1' }, Name: 'Js Tree',
      Contacts: { records: [{ attributes: { type: 'Contact', referenceId: 'c1' },
        LastName: 'Js Leaf' }] } }] });
  out.tree = tree.results.length;
  const batch = await conn.requestPost('/composite/batch', { batchRequests: [
    { method: 'GET', url: 'v59.0/sobjects/Account/describe' },
    { method: 'GET', url: 'v59.0/sobjects/Account/001000000000000AAA' }] });
  out.batch = batch.results.map((r) => r.statusCode);
  const created = await conn.sobject('Account').create([{ Name: 'Js Many 1' },
    { Name: 'Js Many 2' }]);
  out.createMany = created.filter((r) => r.success).length;

  const ids = queried.slice(0, 5).map((r) => r.Id);
  const retrieved = await conn.sobject('Lead').retrieve(ids, { fields: ['Id', 'LastName'] });
  out.retrieve = retrieved.map((r) => r && r.LastName);

  const updated = await conn.sobject('Lead').find({ LastName: { $like: 'Ja%' } })
    .limit(300).update({ Title: 'Bulk Updated' });
  out.queryUpdate = { total: updated.length, ok: updated.filter((r) => r.success).length };
  const destroyed = await conn.sobject('Lead').find({ LastName: { $like: 'Jb%' } })
    .limit(250).destroy();
  out.queryDestroy = { total: destroyed.length, ok: destroyed.filter((r) => r.success).length };

  console.log(JSON.stringify(out));
})().catch((err) => {
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
});
