/** `npm run down`: stops every process the local stack started (per its pid files). */
import { downStack } from './stack';
import { loadLocalStackConfig } from './stack-config';

async function main(): Promise<void> {
  const config = loadLocalStackConfig();
  await downStack(config, (line) => console.log(line));
  console.log('Faultline is down.');
}

main().catch((error: unknown) => {
  console.error(`down failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
