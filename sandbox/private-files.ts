/**
 * The code the sandbox runs (the CDK assets, the Lambda runtime, bundles) is the user's alone:
 * folders 0700 and files without any group or other permission, set explicitly so that neither
 * the umask nor the tool that wrote them (CDK leaves bundled assets 0777) decides.
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Creates `directory` and its missing parents as 0700; an existing one is tightened to 0700. */
export async function privateDirectory(directory: string): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await chmod(directory, 0o700);
}

/**
 * Takes every group and other permission off `path` and everything below it: folders become 0700,
 * files keep only their owner's bits (0600, or 0700 when executable). Symbolic links are neither
 * changed nor followed.
 */
export async function makePrivate(path: string): Promise<void> {
  const info = await lstat(path);
  if (info.isSymbolicLink()) return;
  if (info.isDirectory()) {
    await chmod(path, 0o700);
    for (const name of await readdir(path)) await makePrivate(join(path, name));
    return;
  }
  await chmod(path, (info.mode & 0o700) | 0o600);
}
