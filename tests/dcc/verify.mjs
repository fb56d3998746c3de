// Runs DCC's verifier-core on each credential file named on the command line and prints
// one line "RESULT <json>" with their results (the library also logs to stdout).
import fs from 'fs';
import { verifyCredential } from '@digitalcredentials/verifier-core';

const results = [];
for (const file of process.argv.slice(2)) {
  const credential = JSON.parse(fs.readFileSync(file, 'utf8'));
  const result = await verifyCredential({ credential, knownDIDRegistries: [] });
  results.push({ log: result.log ?? null, errors: result.errors ?? null });
}
console.log('RESULT ' + JSON.stringify(results));
