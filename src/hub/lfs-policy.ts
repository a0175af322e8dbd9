/** The Hub stores a file through LFS from 10 MB on, or when its first bytes look binary. */
export function looksBinary(sample: Uint8Array): boolean {
  const length = Math.min(sample.byteLength, 8000);
  for (let index = 0; index < length; index++) if (sample[index] === 0) return true;
  return false;
}
