import { removeTestArtifacts } from './test-image';

export default async function globalTeardown(): Promise<void> {
  await removeTestArtifacts();
}
