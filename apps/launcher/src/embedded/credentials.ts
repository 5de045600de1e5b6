import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/** Passwords of the embedded cluster's superuser and of the two roles the apps log in as. */
export interface EmbeddedCredentials {
  readonly superuser: string;
  readonly app: string;
  readonly system: string;
}

const credentialsSchema = z.object({ superuser: z.string(), app: z.string(), system: z.string() });

/**
 * The credentials kept beside the data directory (`<dataDir>.credentials.json`, mode 0600): generated with
 * the cluster, read back whenever it is reused.
 */
export async function embeddedCredentials(
  dataDir: string,
  initialised: boolean,
): Promise<EmbeddedCredentials> {
  const file = `${dataDir}.credentials.json`;
  if (initialised) {
    try {
      return credentialsSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    } catch (error) {
      throw new Error(
        `${dataDir} holds a PostgreSQL cluster but its credentials file ${file} is missing or unreadable; ` +
          'delete the data directory to start afresh',
        { cause: error },
      );
    }
  }
  const credentials: EmbeddedCredentials = { superuser: secret(), app: secret(), system: secret() };
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  return credentials;
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}
