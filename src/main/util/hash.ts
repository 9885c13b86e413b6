import { createHash } from 'node:crypto'

/** Hex SHA-256 of bytes or text: content hashes of images, checkpoint checksums, file names derived from both. */
export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex')
