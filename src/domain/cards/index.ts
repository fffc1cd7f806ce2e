/** Character cards and lorebooks: import (PNG/JSON, V1–V3, world info) and export (V2/V3, PNG). */
export { CardParseError, type CardParseReason } from './errors.ts';
export { decodeBase64, encodeBase64 } from './encoding.ts';
export {
  MAX_CARD_FILE_BYTES,
  normaliseCardData,
  parseCardFile,
  parseCardJson,
  parseCardPng,
  parseImportJson,
  type CardSpec,
  type ImportResult,
  type ParsedCard,
} from './parse.ts';
export {
  lorebookToJson,
  parseLorebook,
  parseWorldInfo,
  toLorebookV3,
  type LorebookEntryJson,
  type LorebookJson,
} from './lorebook.ts';
export {
  cardToJsonText,
  toCardV2,
  toCardV3,
  writeCardPng,
  type CardV2DataJson,
  type CardV2Json,
  type CardV3DataJson,
  type CardV3Json,
} from './write.ts';
export {
  CARD_CHUNK_KEYWORDS,
  crc32,
  isPng,
  readPngChunks,
  readPngTextChunks,
  stripCardChunks,
  writePngChunks,
  writePngTextChunks,
  type PngChunk,
  type PngTextChunk,
} from './png.ts';
export { UNKNOWN_FIELDS_KEY } from './coerce.ts';
export { MAX_CARD_STATEMENTS, STATEMENTS_EXTENSION_KEY, takeStatements, withStatements, type CardStatement } from './statements.ts';
