/**
 * `npm run contract`: writes the TypeScript of the BFF contract, generated from the OpenAPI
 * document (bff/openapi.ts, itself generated from contract/) by openapi-typescript, to
 * contract/openapi-types.ts. The widget imports its types from there (types only, so the browser
 * bundle needs neither bff/ nor zod), and so does the host client (bff/client.ts).
 *
 * It is committed (the widget is built without running the BFF); contract/generated.test.ts fails
 * when it differs from what this script would write now. It is `.ts`, not `.d.ts`, so the
 * packages' compilers emit its declaration with the rest (scripts/build-widget-types.mjs places
 * it inside the widget's package).
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../bff/openapi.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export const CONTRACT_FILES = ['contract/openapi-types.ts'] as const;

const HEADER = `/**
 * The BFF's contract as TypeScript types, generated from its OpenAPI document (bff/openapi.ts)
 * by openapi-typescript. Do not edit: change contract/, then run \`npm run contract\`.
 */

`;

/** What each contract file should hold now. */
export async function contractFiles(): Promise<Record<(typeof CONTRACT_FILES)[number], string>> {
  // The paths are those below the base the BFF is mounted under; the base is the client's to give.
  const ast = await openapiTS(JSON.stringify(openApiDocument()), { silent: true });
  const types = HEADER + astToString(ast);
  return Object.fromEntries(CONTRACT_FILES.map((file) => [file, types])) as Record<(typeof CONTRACT_FILES)[number], string>;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await contractFiles();
  for (const [file, text] of Object.entries(files)) {
    await writeFile(root + file, text);
    console.log(`wrote ${file}`);
  }
}
