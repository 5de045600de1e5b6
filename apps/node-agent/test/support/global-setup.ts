import { ensureTestImage } from './test-image';

export default async function globalSetup(): Promise<void> {
  await ensureTestImage();
}
