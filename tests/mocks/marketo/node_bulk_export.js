// node-marketo-rest, unchanged, against the Marketo mock: a bulk activity export and a
// bulk lead export, each created, enqueued, waited for and downloaded by the client's own
// calls. Prints one JSON line: what the client got.
const Marketo = require('node-marketo-rest');

const base = process.env.MARKETO_MOCK;
const marketo = new Marketo({
  endpoint: `${base}/rest`,  // the client builds bulk paths as <endpoint>/../bulk/...
  identity: `${base}/identity`,
  clientId: 'siasim-marketo-client',
  clientSecret: 'siasim-marketo-secret',
});
const window = JSON.parse(process.env.EXPORT_WINDOW);

async function main() {
  const activities = await marketo.bulkActivityExtract.get(
    { createdAt: window, activityTypeIds: [1, 12] }, { format: 'CSV' });
  const activityFile = await marketo.bulkActivityExtract.file(activities.result[0].exportId);
  const leads = await marketo.bulkLeadExtract.get(
    ['id', 'email', 'firstName'], { createdAt: window });
  const leadFile = await marketo.bulkLeadExtract.file(leads.result[0].exportId);
  const usage = await marketo.stats.usage();
  console.log(JSON.stringify({
    activityJob: activities.result[0], activityFile: String(activityFile),
    leadJob: leads.result[0], leadFile: String(leadFile), usage: usage.result,
  }));
}

main().catch((err) => { console.error('FAILED', err && (err.stack || JSON.stringify(err))); process.exit(1); });
