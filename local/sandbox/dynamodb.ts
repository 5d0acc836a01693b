/**
 * Sandbox DynamoDB: tables held in memory, reached through the real SDK v3 client. Items keep the
 * AttributeValue wire shape; numbers stay strings on the wire but are normalised, compared and added as
 * exact decimals. Condition, filter, key-condition, projection and update expressions go through a real
 * tokenizer and recursive-descent parser so the errors a handler would meet in AWS (reserved words,
 * unused placeholders, syntax errors, key updates) surface here too.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { type AccountContext, AwsError, type Operation, type SandboxService } from './types';

// ---------------------------------------------------------------------------------------------------------
// Attribute values
// ---------------------------------------------------------------------------------------------------------

export interface AttributeValue {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
  BS?: Uint8Array[];
}
export type Item = Record<string, AttributeValue>;

const TYPE_TAGS = ['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'] as const;
type TypeTag = (typeof TYPE_TAGS)[number];
export type KeyType = 'S' | 'N' | 'B';

/** Type names AWS uses when an ADD or DELETE operand has the wrong type. */
const LONG_TYPE_NAMES: Record<TypeTag, string> = {
  S: 'STRING',
  N: 'NUMBER',
  B: 'BINARY',
  BOOL: 'BOOLEAN',
  NULL: 'NULL',
  M: 'MAP',
  L: 'LIST',
  SS: 'STRING_SET',
  NS: 'NUMBER_SET',
  BS: 'BINARY_SET',
};

const MAX_ITEM_BYTES = 400 * 1024;
const MAX_PAGE_BYTES = 1024 * 1024;

function validation(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** Internal values always carry exactly one tag, so the first defined one is the type. */
function typeOf(av: AttributeValue): TypeTag {
  if (av.S !== undefined) return 'S';
  if (av.N !== undefined) return 'N';
  if (av.B !== undefined) return 'B';
  if (av.BOOL !== undefined) return 'BOOL';
  if (av.NULL !== undefined) return 'NULL';
  if (av.M !== undefined) return 'M';
  if (av.L !== undefined) return 'L';
  if (av.SS !== undefined) return 'SS';
  if (av.NS !== undefined) return 'NS';
  return 'BS';
}

// Exact decimals: value = m * 10^e. DynamoDB numbers have up to 38 significant digits, beyond a double.
interface Decimal {
  m: bigint;
  e: number;
}

const NUMBER_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function normalizeDecimal(m: bigint, e: number): Decimal {
  if (m === 0n) return { m: 0n, e: 0 };
  let mantissa = m;
  let exponent = e;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  return { m: mantissa, e: exponent };
}

function checkDecimalRange(d: Decimal): Decimal {
  if (d.m === 0n) return d;
  const digits = (d.m < 0n ? -d.m : d.m).toString().length;
  if (digits > 38) throw validation('Attempting to store more than 38 significant digits in a Number');
  const magnitude = digits - 1 + d.e;
  if (magnitude > 125) {
    throw validation(
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    );
  }
  if (magnitude < -130) {
    throw validation(
      'Number underflow. Attempting to store a number with magnitude smaller than supported range',
    );
  }
  return d;
}

function parseDecimal(text: string): Decimal {
  const match = NUMBER_PATTERN.exec(text);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || whole.length + fraction.length === 0) {
    throw validation('A value provided cannot be converted into a number');
  }
  const exponent = Number(match[4] ?? '0') - fraction.length;
  const mantissa = BigInt(`${match[1] === '-' ? '-' : ''}${whole}${fraction}`);
  return checkDecimalRange(normalizeDecimal(mantissa, exponent));
}

function formatDecimal(d: Decimal): string {
  if (d.m === 0n) return '0';
  const sign = d.m < 0n ? '-' : '';
  const digits = (d.m < 0n ? -d.m : d.m).toString();
  if (d.e >= 0) return `${sign}${digits}${'0'.repeat(d.e)}`;
  const point = digits.length + d.e;
  if (point > 0) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}0.${'0'.repeat(-point)}${digits}`;
}

function alignDecimals(a: Decimal, b: Decimal): [bigint, bigint, number] {
  if (a.e === b.e) return [a.m, b.m, a.e];
  if (a.e > b.e) return [a.m * 10n ** BigInt(a.e - b.e), b.m, b.e];
  return [a.m, b.m * 10n ** BigInt(b.e - a.e), a.e];
}

function compareNumbers(a: string, b: string): number {
  const [x, y] = alignDecimals(parseDecimal(a), parseDecimal(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

function addNumbers(a: string, b: string, negateB = false): string {
  const [x, y, e] = alignDecimals(parseDecimal(a), parseDecimal(b));
  return formatDecimal(checkDecimalRange(normalizeDecimal(negateB ? x - y : x + y, e)));
}

function canonicalNumber(text: string): string {
  return formatDecimal(parseDecimal(text));
}

/** Code-point order equals the UTF-8 byte order DynamoDB sorts strings by (UTF-16 order does not). */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

function bytesStartWith(haystack: Uint8Array, prefix: Uint8Array): boolean {
  return prefix.length <= haystack.length && compareBytes(haystack.subarray(0, prefix.length), prefix) === 0;
}

function bytesContain(haystack: Uint8Array, needle: Uint8Array): boolean {
  const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return bytes(haystack).includes(bytes(needle));
}

/** Ordering of two scalars of the same type (S, N or B); undefined when they cannot be ordered. */
function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.S !== undefined && b.S !== undefined) return compareStrings(a.S, b.S);
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(a.N, b.N);
  if (a.B !== undefined && b.B !== undefined) return compareBytes(a.B, b.B);
  return undefined;
}

function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
      return compareScalars(a, b) === 0;
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'M': {
      const x = a.M ?? {};
      const y = b.M ?? {};
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      return keys.every((k) => {
        const left = x[k];
        const right = y[k];
        return left !== undefined && right !== undefined && valuesEqual(left, right);
      });
    }
    case 'L': {
      const x = a.L ?? [];
      const y = b.L ?? [];
      return x.length === y.length && x.every((v, i) => valuesEqual(v, y[i] ?? {}));
    }
    case 'SS':
    case 'NS':
    case 'BS': {
      const x = setMembers(a);
      const y = setMembers(b);
      return x.length === y.length && x.every((v) => y.some((w) => valuesEqual(v, w)));
    }
  }
}

/** Members of a set as scalar AttributeValues, so set logic is written once for SS, NS and BS. */
function setMembers(av: AttributeValue): AttributeValue[] {
  if (av.SS) return av.SS.map((S) => ({ S }));
  if (av.NS) return av.NS.map((N) => ({ N }));
  if (av.BS) return av.BS.map((B) => ({ B }));
  return [];
}

function makeSet(type: 'SS' | 'NS' | 'BS', members: AttributeValue[]): AttributeValue {
  if (type === 'SS') return { SS: members.map((m) => m.S ?? '') };
  if (type === 'NS') return { NS: members.map((m) => m.N ?? '0') };
  return { BS: members.map((m) => m.B ?? new Uint8Array()) };
}

function cloneValue(av: AttributeValue): AttributeValue {
  switch (typeOf(av)) {
    case 'B':
      return { B: Uint8Array.from(av.B ?? []) };
    case 'M':
      return { M: cloneItem(av.M ?? {}) };
    case 'L':
      return { L: (av.L ?? []).map(cloneValue) };
    case 'SS':
      return { SS: [...(av.SS ?? [])] };
    case 'NS':
      return { NS: [...(av.NS ?? [])] };
    case 'BS':
      return { BS: (av.BS ?? []).map((b) => Uint8Array.from(b)) };
    default:
      return { ...av };
  }
}

function cloneItem(item: Item): Item {
  const copy: Item = {};
  for (const [name, value] of Object.entries(item)) copy[name] = cloneValue(value);
  return copy;
}

/**
 * Copies a caller's AttributeValue into the store, checking it as DynamoDB does: exactly one type, valid
 * numbers (normalised), non-empty sets without duplicates.
 */
function importValue(raw: unknown): AttributeValue {
  if (!isRecord(raw)) {
    throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  const present = Object.keys(raw).filter((k) => raw[k] !== undefined);
  const tags = present.filter((k): k is TypeTag => (TYPE_TAGS as readonly string[]).includes(k));
  if (tags.length === 0 || tags.length !== present.length) {
    throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  if (tags.length > 1) {
    throw validation(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  const tag = tags[0] as TypeTag;
  const value = raw[tag];
  switch (tag) {
    case 'S':
      if (typeof value !== 'string') break;
      return { S: value };
    case 'N':
      if (typeof value !== 'string') break;
      return { N: canonicalNumber(value) };
    case 'B':
      if (!(value instanceof Uint8Array)) break;
      return { B: Uint8Array.from(value) };
    case 'BOOL':
      if (typeof value !== 'boolean') break;
      return { BOOL: value };
    case 'NULL':
      if (value !== true)
        throw validation(
          'One or more parameter values were invalid: Null attribute value types must have the value of true',
        );
      return { NULL: true };
    case 'M': {
      if (!isRecord(value)) break;
      const map: Item = {};
      for (const [name, member] of Object.entries(value)) {
        if (member !== undefined) map[name] = importValue(member);
      }
      return { M: map };
    }
    case 'L':
      if (!Array.isArray(value)) break;
      return { L: value.map(importValue) };
    case 'SS':
    case 'NS':
    case 'BS':
      return importSet(tag, value);
  }
  throw validation(`Supplied AttributeValue has an invalid value for the datatype ${tag}`);
}

function importSet(tag: 'SS' | 'NS' | 'BS', value: unknown): AttributeValue {
  const kind = tag === 'SS' ? 'string' : tag === 'NS' ? 'number' : 'binary';
  if (!Array.isArray(value))
    throw validation(`Supplied AttributeValue has an invalid value for the datatype ${tag}`);
  // AWS's message really has the double space.
  if (value.length === 0)
    throw validation(`One or more parameter values were invalid: An ${kind} set  may not be empty`);
  const members = value.map((member: unknown) => importValue({ [tag.slice(0, 1)]: member }));
  members.forEach((member, i) => {
    if (members.slice(0, i).some((other) => valuesEqual(member, other))) {
      throw validation(`One or more parameter values were invalid: Input collection contains duplicates`);
    }
  });
  return makeSet(tag, members);
}

function importItem(raw: unknown, what: string): Item {
  if (!isRecord(raw)) throw validation(`One or more parameter values were invalid: ${what} is required`);
  const item: Item = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (name.length === 0)
      throw validation('One or more parameter values were invalid: An attribute name cannot be empty');
    item[name] = importValue(value);
  }
  return item;
}

/** Approximates DynamoDB's item size accounting (names plus values, UTF-8). */
function valueSize(av: AttributeValue): number {
  switch (typeOf(av)) {
    case 'S':
      return Buffer.byteLength(av.S ?? '', 'utf8');
    case 'N':
      return Math.ceil((av.N ?? '').length / 2) + 1;
    case 'B':
      return av.B?.length ?? 0;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'M':
      return 3 + itemSize(av.M ?? {}) + Object.keys(av.M ?? {}).length;
    case 'L':
      return 3 + (av.L ?? []).reduce((sum, v) => sum + valueSize(v) + 1, 0);
    default:
      return setMembers(av).reduce((sum, v) => sum + valueSize(v), 0);
  }
}

function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item))
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  return size;
}

// JSON form for snapshots: binary becomes base64 text (B and BS are always binary, so this is unambiguous).
type JsonValue = Record<string, unknown>;

function toJsonValue(av: AttributeValue): JsonValue {
  switch (typeOf(av)) {
    case 'B':
      return { B: Buffer.from(av.B ?? []).toString('base64') };
    case 'BS':
      return { BS: (av.BS ?? []).map((b) => Buffer.from(b).toString('base64')) };
    case 'M':
      return { M: toJsonItem(av.M ?? {}) };
    case 'L':
      return { L: (av.L ?? []).map(toJsonValue) };
    default:
      return { ...av };
  }
}

function toJsonItem(item: Item): Record<string, JsonValue> {
  const json: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(item)) json[name] = toJsonValue(value);
  return json;
}

function fromJsonValue(json: unknown): unknown {
  if (!isRecord(json)) return json;
  if (typeof json.B === 'string') return { B: new Uint8Array(Buffer.from(json.B, 'base64')) };
  if (Array.isArray(json.BS)) {
    return { BS: json.BS.map((b: unknown) => new Uint8Array(Buffer.from(String(b), 'base64'))) };
  }
  if (isRecord(json.M)) return { M: fromJsonItem(json.M) };
  if (Array.isArray(json.L)) return { L: json.L.map(fromJsonValue) };
  return json;
}

function fromJsonItem(json: Record<string, unknown>): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(json)) item[name] = fromJsonValue(value);
  return item;
}

// ---------------------------------------------------------------------------------------------------------
// Expressions: tokens, placeholders, AST
// ---------------------------------------------------------------------------------------------------------

type ExpressionKind =
  | 'ConditionExpression'
  | 'FilterExpression'
  | 'KeyConditionExpression'
  | 'UpdateExpression'
  | 'ProjectionExpression';

// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
const RESERVED_WORDS = new Set(
  `ABORT ABSOLUTE ACTION ADD AFTER AGENT AGGREGATE ALL ALLOCATE ALTER ANALYZE AND ANY ARCHIVE ARE ARRAY AS ASC
  ASCII ASENSITIVE ASSERTION ASYMMETRIC AT ATOMIC ATTACH ATTRIBUTE AUTH AUTHORIZATION AUTHORIZE AUTO AVG BACK
  BACKUP BASE BATCH BEFORE BEGIN BETWEEN BIGINT BINARY BIT BLOB BLOCK BOOLEAN BOTH BREADTH BUCKET BULK BY BYTE
  CALL CALLED CALLING CAPACITY CASCADE CASCADED CASE CAST CATALOG CHAR CHARACTER CHECK CLASS CLOB CLOSE CLUSTER
  CLUSTERED CLUSTERING CLUSTERS COALESCE COLLATE COLLATION COLLECTION COLUMN COLUMNS COMBINE COMMENT COMMIT
  COMPACT COMPILE COMPRESS CONDITION CONFLICT CONNECT CONNECTION CONSISTENCY CONSISTENT CONSTRAINT CONSTRAINTS
  CONSTRUCTOR CONSUMED CONTINUE CONVERT COPY CORRESPONDING COUNT COUNTER CREATE CROSS CUBE CURRENT CURSOR CYCLE
  DATA DATABASE DATE DATETIME DAY DEALLOCATE DEC DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DEFINE DEFINED
  DEFINITION DELETE DELIMITED DEPTH DEREF DESC DESCRIBE DESCRIPTOR DETACH DETERMINISTIC DIAGNOSTICS DIRECTORIES
  DISABLE DISCONNECT DISTINCT DISTRIBUTE DO DOMAIN DOUBLE DROP DUMP DURATION DYNAMIC EACH ELEMENT ELSE ELSEIF
  EMPTY ENABLE END EQUAL EQUALS ERROR ESCAPE ESCAPED EVAL EVALUATE EXCEEDED EXCEPT EXCEPTION EXCEPTIONS
  EXCLUSIVE EXEC EXECUTE EXISTS EXIT EXPLAIN EXPLODE EXPORT EXPRESSION EXTENDED EXTERNAL EXTRACT FAIL FALSE
  FAMILY FETCH FIELDS FILE FILTER FILTERING FINAL FINISH FIRST FIXED FLATTERN FLOAT FOR FORCE FOREIGN FORMAT
  FORWARD FOUND FREE FROM FULL FUNCTION FUNCTIONS GENERAL GENERATE GET GLOB GLOBAL GO GOTO GRANT GREATER GROUP
  GROUPING HANDLER HASH HAVE HAVING HEAP HIDDEN HOLD HOUR IDENTIFIED IDENTITY IF IGNORE IMMEDIATE IMPORT IN
  INCLUDING INCLUSIVE INCREMENT INCREMENTAL INDEX INDEXED INDEXES INDICATOR INFINITE INITIALLY INLINE INNER
  INNTER INOUT INPUT INSENSITIVE INSERT INSTEAD INT INTEGER INTERSECT INTERVAL INTO INVALIDATE IS ISOLATION
  ITEM ITEMS ITERATE JOIN KEY KEYS LAG LANGUAGE LARGE LAST LATERAL LEAD LEADING LEAVE LEFT LENGTH LESS LEVEL
  LIKE LIMIT LIMITED LINES LIST LOAD LOCAL LOCALTIME LOCALTIMESTAMP LOCATION LOCATOR LOCK LOCKS LOG LOGED LONG
  LOOP LOWER MAP MATCH MATERIALIZED MAX MAXLEN MEMBER MERGE METHOD METRICS MIN MINUS MINUTE MISSING MOD MODE
  MODIFIES MODIFY MODULE MONTH MULTI MULTISET NAME NAMES NATIONAL NATURAL NCHAR NCLOB NEW NEXT NO NONE NOT NULL
  NULLIF NUMBER NUMERIC OBJECT OF OFFLINE OFFSET OLD ON ONLINE ONLY OPAQUE OPEN OPERATOR OPTION OR ORDER
  ORDINALITY OTHER OTHERS OUT OUTER OUTPUT OVER OVERLAPS OVERRIDE OWNER PAD PARALLEL PARAMETER PARAMETERS
  PARTIAL PARTITION PARTITIONED PARTITIONS PATH PERCENT PERCENTILE PERMISSION PERMISSIONS PIPE PIPELINED PLAN
  POOL POSITION PRECISION PREPARE PRESERVE PRIMARY PRIOR PRIVATE PRIVILEGES PROCEDURE PROCESSED PROJECT
  PROJECTION PROPERTY PROVISIONING PUBLIC PUT QUERY QUIT QUORUM RAISE RANDOM RANGE RANK RAW READ READS REAL
  REBUILD RECORD RECURSIVE REDUCE REF REFERENCE REFERENCES REFERENCING REGEXP REGION REINDEX RELATIVE RELEASE
  REMAINDER RENAME REPEAT REPLACE REQUEST RESET RESIGNAL RESOURCE RESPONSE RESTORE RESTRICT RESULT RETURN
  RETURNING RETURNS REVERSE REVOKE RIGHT ROLE ROLES ROLLBACK ROLLUP ROUTINE ROW ROWS RULE RULES SAMPLE
  SATISFIES SAVE SAVEPOINT SCAN SCHEMA SCOPE SCROLL SEARCH SECOND SECTION SEGMENT SEGMENTS SELECT SELF SEMI
  SENSITIVE SEPARATE SEQUENCE SERIALIZABLE SESSION SET SETS SHARD SHARE SHARED SHORT SHOW SIGNAL SIMILAR SIZE
  SKEWED SMALLINT SNAPSHOT SOME SOURCE SPACE SPACES SPARSE SPECIFIC SPECIFICTYPE SPLIT SQL SQLCODE SQLERROR
  SQLEXCEPTION SQLSTATE SQLWARNING START STATE STATIC STATUS STORAGE STORE STORED STREAM STRING STRUCT STYLE
  SUB SUBMULTISET SUBPARTITION SUBSTRING SUBTYPE SUM SUPER SYMMETRIC SYNONYM SYSTEM TABLE TABLESAMPLE TEMP
  TEMPORARY TERMINATED TEXT THAN THEN THROUGHPUT TIME TIMESTAMP TIMEZONE TINYINT TO TOKEN TOTAL TOUCH TRAILING
  TRANSACTION TRANSFORM TRANSLATE TRANSLATION TREAT TRIGGER TRIM TRUE TRUNCATE TTL TUPLE TYPE UNDER UNDO UNION
  UNIQUE UNIT UNKNOWN UNLOGGED UNNEST UNPROCESSED UNSIGNED UNTIL UPDATE UPPER URL USAGE USE USER USERS USING
  UUID VACUUM VALUE VALUED VALUES VARCHAR VARIABLE VARIANCE VARINT VARYING VIEW VIEWS VIRTUAL VOID WAIT WHEN
  WHENEVER WHERE WHILE WINDOW WITH WITHIN WITHOUT WORK WRAPPED WRITE YEAR ZONE`.split(/\s+/),
);

type TokenKind = 'ident' | 'name' | 'value' | 'number' | 'punct' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const TWO_CHAR_PUNCT = new Set(['<>', '<=', '>=']);
const ONE_CHAR_PUNCT = new Set(['=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-']);

function syntaxError(kind: ExpressionKind, source: string, tokens: Token[], index: number): AwsError {
  const token = tokens[index];
  const before = tokens[Math.max(0, index - 1)];
  const after = tokens[Math.min(tokens.length - 1, index + 1)];
  const text = token?.kind === 'eof' ? '<EOF>' : (token?.text ?? '<EOF>');
  const nearEnd = after?.kind === 'eof' ? source.length : (after?.end ?? source.length);
  let near = source.slice(before?.start ?? 0, nearEnd).trim();
  if (token?.kind === 'eof') near = source.slice(before?.start ?? 0).trim();
  return validation(`Invalid ${kind}: Syntax error; token: "${text}", near: "${near}"`);
}

function tokenize(kind: ExpressionKind, source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const read = (start: number, pattern: RegExp): number => {
    let end = start;
    while (end < source.length && pattern.test(source.charAt(end))) end++;
    return end;
  };
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let kindOf: TokenKind | undefined;
    let end = i + 1;
    if (IDENT_START.test(c)) {
      kindOf = 'ident';
      end = read(i + 1, IDENT_PART);
    } else if (c === '#' || c === ':') {
      end = read(i + 1, IDENT_PART);
      if (end > i + 1) kindOf = c === '#' ? 'name' : 'value';
    } else if (/[0-9]/.test(c)) {
      kindOf = 'number';
      end = read(i + 1, /[0-9]/);
    } else if (TWO_CHAR_PUNCT.has(source.slice(i, i + 2))) {
      kindOf = 'punct';
      end = i + 2;
    } else if (ONE_CHAR_PUNCT.has(c)) {
      kindOf = 'punct';
    }
    const token: Token = { kind: kindOf ?? 'punct', text: source.slice(i, end), start: i, end };
    tokens.push(token);
    if (kindOf === undefined) {
      tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
      throw syntaxError(kind, source, tokens, tokens.length - 2);
    }
    i = end;
  }
  tokens.push({ kind: 'eof', text: '', start: source.length, end: source.length });
  return tokens;
}

/** Resolves `#name` and `:value` placeholders and remembers which were used, for the unused-key check. */
class Placeholders {
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;

  constructor(rawNames: unknown, rawValues: unknown) {
    this.names = {};
    this.values = {};
    if (rawNames !== undefined) {
      if (!isRecord(rawNames) || Object.keys(rawNames).length === 0) {
        throw validation('ExpressionAttributeNames must not be empty');
      }
      for (const [key, value] of Object.entries(rawNames)) {
        if (!/^#[A-Za-z0-9_]+$/.test(key)) {
          throw validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
        }
        if (typeof value !== 'string' || value.length === 0) {
          throw validation(
            `ExpressionAttributeNames contains invalid value: Empty attribute name for key ${key}`,
          );
        }
        this.names[key] = value;
      }
    }
    if (rawValues !== undefined) {
      if (!isRecord(rawValues) || Object.keys(rawValues).length === 0) {
        throw validation('ExpressionAttributeValues must not be empty');
      }
      for (const [key, value] of Object.entries(rawValues)) {
        if (!/^:[A-Za-z0-9_]+$/.test(key)) {
          throw validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`);
        }
        try {
          this.values[key] = importValue(value);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw validation(`ExpressionAttributeValues contains invalid value: ${reason} for key ${key}`);
        }
      }
    }
  }

  name(kind: ExpressionKind, placeholder: string): string {
    const name = this.names[placeholder];
    if (name === undefined) {
      throw validation(
        `Invalid ${kind}: An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`,
      );
    }
    this.usedNames.add(placeholder);
    return name;
  }

  value(kind: ExpressionKind, placeholder: string): AttributeValue {
    const value = this.values[placeholder];
    if (value === undefined) {
      throw validation(
        `Invalid ${kind}: An expression attribute value used in expression is not defined; attribute value: ${placeholder}`,
      );
    }
    this.usedValues.add(placeholder);
    return value;
  }

  checkAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((k) => !this.usedNames.has(k));
    if (unusedNames.length > 0) {
      throw validation(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(this.values).filter((k) => !this.usedValues.has(k));
    if (unusedValues.length > 0) {
      throw validation(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }
}

type PathElement = string | number;
type DocPath = PathElement[];

type Operand =
  | { kind: 'path'; path: DocPath }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'size'; path: DocPath };

type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';
type ConditionFunction =
  | 'attribute_exists'
  | 'attribute_not_exists'
  | 'attribute_type'
  | 'begins_with'
  | 'contains';

type Condition =
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; operand: Operand; low: Operand; high: Operand }
  | { kind: 'in'; operand: Operand; candidates: Operand[] }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; condition: Condition }
  | { kind: 'function'; name: ConditionFunction; args: Operand[] };

type UpdateValue =
  | { kind: 'path'; path: DocPath }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'arith'; op: '+' | '-'; left: UpdateValue; right: UpdateValue }
  | { kind: 'if_not_exists'; path: DocPath; fallback: UpdateValue }
  | { kind: 'list_append'; first: UpdateValue; second: UpdateValue };

type UpdateAction =
  | { kind: 'SET'; path: DocPath; value: UpdateValue }
  | { kind: 'REMOVE'; path: DocPath }
  | { kind: 'ADD' | 'DELETE'; path: DocPath; value: AttributeValue };

const CONDITION_FUNCTIONS = new Set<string>([
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
]);
const UPDATE_FUNCTIONS = new Set(['if_not_exists', 'list_append']);
const COMPARATORS = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);
const ATTRIBUTE_TYPES = new Set<string>(TYPE_TAGS);

function renderPath(path: DocPath): string {
  return `[${path.map((e) => (typeof e === 'number' ? `[${e}]` : e)).join(', ')}]`;
}

/** Recursive-descent parser shared by every expression kind; placeholders resolve while parsing. */
class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(
    private readonly kind: ExpressionKind,
    private readonly source: string,
    private readonly placeholders: Placeholders,
  ) {
    if (source.trim().length === 0) throw validation(`Invalid ${kind}: The expression can not be empty;`);
    this.tokens = tokenize(kind, source);
  }

  private peek(offset = 0): Token {
    const token = this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
    if (!token) throw this.fail();
    return token;
  }

  private advance(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  private fail(at = this.index): AwsError {
    return syntaxError(this.kind, this.source, this.tokens, at);
  }

  private error(message: string): AwsError {
    return validation(`Invalid ${this.kind}: ${message}`);
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'ident' && token.text.toUpperCase() === keyword;
  }

  private isPunct(token: Token, text: string): boolean {
    return token.kind === 'punct' && token.text === text;
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(this.peek(), text)) throw this.fail();
    this.advance();
  }

  private expectEnd(): void {
    if (this.peek().kind !== 'eof') throw this.fail();
  }

  private isFunctionCall(): boolean {
    return this.peek().kind === 'ident' && this.isPunct(this.peek(1), '(');
  }

  parseCondition(): Condition {
    const condition = this.parseOr();
    this.expectEnd();
    return condition;
  }

  parseProjection(): DocPath[] {
    const paths = [this.parsePath()];
    while (this.isPunct(this.peek(), ',')) {
      this.advance();
      paths.push(this.parsePath());
    }
    this.expectEnd();
    checkOverlaps(this.kind, paths);
    return paths;
  }

  parseUpdate(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    while (this.peek().kind !== 'eof') {
      const clause = this.peek().text.toUpperCase();
      if (this.peek().kind !== 'ident' || !['SET', 'REMOVE', 'ADD', 'DELETE'].includes(clause))
        throw this.fail();
      if (seen.has(clause)) {
        throw this.error(`The "${clause}" section can only be used once in an update expression;`);
      }
      seen.add(clause);
      this.advance();
      for (;;) {
        actions.push(this.parseAction(clause));
        if (!this.isPunct(this.peek(), ',')) break;
        this.advance();
      }
    }
    checkOverlaps(
      this.kind,
      actions.map((a) => a.path),
    );
    return actions;
  }

  private parseAction(clause: string): UpdateAction {
    const path = this.parsePath();
    if (clause === 'SET') {
      this.expectPunct('=');
      return { kind: 'SET', path, value: this.parseSetValue() };
    }
    if (clause === 'REMOVE') return { kind: 'REMOVE', path };
    const token = this.peek();
    if (token.kind !== 'value') throw this.fail();
    this.advance();
    const value = this.placeholders.value(this.kind, token.text);
    const type = typeOf(value);
    const allowed = clause === 'ADD' ? ['N', 'SS', 'NS', 'BS'] : ['SS', 'NS', 'BS'];
    if (!allowed.includes(type)) {
      throw this.error(
        `Incorrect operand type for operator or function; operator: ${clause}, operand type: ${LONG_TYPE_NAMES[type]}, typeSet: ALLOWED_FOR_${clause}_OPERAND`,
      );
    }
    return { kind: clause === 'ADD' ? 'ADD' : 'DELETE', path, value };
  }

  private parseSetValue(): UpdateValue {
    const left = this.parseSetOperand();
    const token = this.peek();
    if (this.isPunct(token, '+') || this.isPunct(token, '-')) {
      this.advance();
      const right = this.parseSetOperand();
      const op = token.text === '+' ? '+' : '-';
      for (const side of [left, right]) {
        if (side.kind === 'value' && typeOf(side.value) !== 'N') {
          throw this.error(
            `Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${typeOf(side.value)}`,
          );
        }
      }
      return { kind: 'arith', op, left, right };
    }
    return left;
  }

  private parseSetOperand(): UpdateValue {
    const token = this.peek();
    if (token.kind === 'value') {
      this.advance();
      return { kind: 'value', value: this.placeholders.value(this.kind, token.text) };
    }
    if (!this.isFunctionCall()) return { kind: 'path', path: this.parsePath() };
    const name = token.text;
    if (!UPDATE_FUNCTIONS.has(name)) {
      if (CONDITION_FUNCTIONS.has(name) || name === 'size') {
        throw this.error(`The function is not allowed in an update expression; function: ${name}`);
      }
      throw this.error(`Invalid function name; function: ${name}`);
    }
    this.advance();
    this.expectPunct('(');
    const args = [this.parseSetValue()];
    while (this.isPunct(this.peek(), ',')) {
      this.advance();
      args.push(this.parseSetValue());
    }
    this.expectPunct(')');
    const [first, second] = args;
    if (args.length !== 2 || !first || !second) {
      throw this.error(
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`,
      );
    }
    if (name === 'if_not_exists') {
      if (first.kind !== 'path') {
        throw this.error(`Operator or function requires a document path; operator or function: ${name}`);
      }
      return { kind: 'if_not_exists', path: first.path, fallback: second };
    }
    for (const side of args) {
      if (side.kind === 'value' && typeOf(side.value) !== 'L') {
        throw this.error(
          `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${typeOf(side.value)}`,
        );
      }
    }
    return { kind: 'list_append', first, second };
  }

  private parseOr(): Condition {
    let left = this.parseAnd();
    while (this.isKeyword(this.peek(), 'OR')) {
      this.advance();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Condition {
    let left = this.parseNot();
    while (this.isKeyword(this.peek(), 'AND')) {
      this.advance();
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Condition {
    if (this.isKeyword(this.peek(), 'NOT')) {
      this.advance();
      return { kind: 'not', condition: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Condition {
    const token = this.peek();
    if (this.isPunct(token, '(')) {
      this.advance();
      const inner = this.parseOr();
      this.expectPunct(')');
      return inner;
    }
    if (this.isFunctionCall() && CONDITION_FUNCTIONS.has(token.text)) return this.parseConditionFunction();
    const operand = this.parseOperand();
    const next = this.peek();
    if (next.kind === 'punct' && COMPARATORS.has(next.text)) {
      this.advance();
      const op = next.text as Comparator;
      const right = this.parseOperand();
      if (op !== '=' && op !== '<>') this.checkOrderable(op, [operand, right]);
      return { kind: 'compare', op, left: operand, right };
    }
    if (this.isKeyword(next, 'BETWEEN')) {
      this.advance();
      const low = this.parseOperand();
      if (!this.isKeyword(this.peek(), 'AND')) throw this.fail();
      this.advance();
      const high = this.parseOperand();
      this.checkOrderable('BETWEEN', [operand, low, high]);
      if (low.kind === 'value' && high.kind === 'value') {
        const order = compareScalars(low.value, high.value);
        if (order === undefined || order > 0) {
          throw this.error(
            `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {${describeValue(low.value)}}, upper bound operand: AttributeValue: {${describeValue(high.value)}}`,
          );
        }
      }
      return { kind: 'between', operand, low, high };
    }
    if (this.isKeyword(next, 'IN')) {
      this.advance();
      this.expectPunct('(');
      const candidates = [this.parseOperand()];
      while (this.isPunct(this.peek(), ',')) {
        this.advance();
        candidates.push(this.parseOperand());
      }
      this.expectPunct(')');
      if (candidates.length > 100) {
        throw this.error(
          `Too many operands for operator or function; operator or function: IN, number of operands: ${candidates.length}`,
        );
      }
      return { kind: 'in', operand, candidates };
    }
    throw this.fail();
  }

  private checkOrderable(op: string, operands: Operand[]): void {
    for (const operand of operands) {
      if (operand.kind !== 'value') continue;
      const type = typeOf(operand.value);
      if (type !== 'S' && type !== 'N' && type !== 'B') {
        throw this.error(
          `Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${type}`,
        );
      }
    }
  }

  private parseConditionFunction(): Condition {
    const name = this.advance().text as ConditionFunction;
    this.expectPunct('(');
    const args = [this.parseOperand()];
    while (this.isPunct(this.peek(), ',')) {
      this.advance();
      args.push(this.parseOperand());
    }
    this.expectPunct(')');
    const expected = name === 'attribute_exists' || name === 'attribute_not_exists' ? 1 : 2;
    if (args.length !== expected) {
      throw this.error(
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`,
      );
    }
    const [first, second] = args;
    if (name !== 'contains' && name !== 'begins_with' && first?.kind !== 'path') {
      throw this.error(`Operator or function requires a document path; operator or function: ${name}`);
    }
    if (name === 'attribute_type' && second?.kind === 'value') {
      const type = second.value.S;
      if (type === undefined) {
        throw this.error(
          `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${typeOf(second.value)}`,
        );
      }
      if (!ATTRIBUTE_TYPES.has(type)) {
        throw this.error(
          `Invalid attribute type name found; type: ${type}, valid types: { B,NULL,SS,BOOL,L,BS,N,NS,S,M }`,
        );
      }
    }
    if (name === 'begins_with') {
      for (const arg of args) {
        if (arg.kind === 'value' && arg.value.S === undefined && arg.value.B === undefined) {
          throw this.error(
            `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${typeOf(arg.value)}`,
          );
        }
      }
    }
    return { kind: 'function', name, args };
  }

  private parseOperand(): Operand {
    const token = this.peek();
    if (token.kind === 'value') {
      this.advance();
      return { kind: 'value', value: this.placeholders.value(this.kind, token.text) };
    }
    if (this.isFunctionCall()) {
      const name = token.text;
      if (name === 'size') {
        this.advance();
        this.expectPunct('(');
        if (this.peek().kind === 'value') {
          throw this.error('Operator or function requires a document path; operator or function: size');
        }
        const path = this.parsePath();
        this.expectPunct(')');
        return { kind: 'size', path };
      }
      if (CONDITION_FUNCTIONS.has(name)) {
        throw this.error(
          `The function is not allowed to be used this way in an expression; function: ${name}`,
        );
      }
      if (UPDATE_FUNCTIONS.has(name)) {
        throw this.error(`The function is not allowed in a condition expression; function: ${name}`);
      }
      throw this.error(`Invalid function name; function: ${name}`);
    }
    return { kind: 'path', path: this.parsePath() };
  }

  private parsePathName(): string {
    const token = this.peek();
    if (token.kind === 'name') {
      this.advance();
      return this.placeholders.name(this.kind, token.text);
    }
    if (token.kind === 'ident') {
      if (RESERVED_WORDS.has(token.text.toUpperCase())) {
        throw this.error(`Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
      }
      this.advance();
      return token.text;
    }
    throw this.fail();
  }

  private parsePath(): DocPath {
    const path: DocPath = [this.parsePathName()];
    for (;;) {
      const token = this.peek();
      if (this.isPunct(token, '.')) {
        this.advance();
        path.push(this.parsePathName());
      } else if (this.isPunct(token, '[')) {
        this.advance();
        const index = this.peek();
        if (index.kind !== 'number') throw this.fail();
        this.advance();
        this.expectPunct(']');
        path.push(Number(index.text));
      } else {
        return path;
      }
    }
  }
}

function describeValue(av: AttributeValue): string {
  const type = typeOf(av);
  const scalar = av.S ?? av.N ?? (av.B ? Buffer.from(av.B).toString('base64') : undefined);
  return `${type}:${scalar ?? JSON.stringify(toJsonValue(av)[type])}`;
}

function checkOverlaps(kind: ExpressionKind, paths: DocPath[]): void {
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const a = paths[i] ?? [];
      const b = paths[j] ?? [];
      const shared = Math.min(a.length, b.length);
      let k = 0;
      while (k < shared && a[k] === b[k]) k++;
      if (k === shared) {
        throw validation(
          `Invalid ${kind}: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${renderPath(a)}, path two: ${renderPath(b)}`,
        );
      }
      if (typeof a[k] !== typeof b[k]) {
        throw validation(
          `Invalid ${kind}: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${renderPath(a)}, path two: ${renderPath(b)}`,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------------------

function resolvePath(item: Item, path: DocPath): AttributeValue | undefined {
  const [head, ...rest] = path;
  if (typeof head !== 'string') return undefined;
  let current = item[head];
  for (const element of rest) {
    if (current === undefined) return undefined;
    current = typeof element === 'number' ? current.L?.[element] : current.M?.[element];
  }
  return current;
}

function operandValue(operand: Operand, item: Item): AttributeValue | undefined {
  if (operand.kind === 'value') return operand.value;
  const value = resolvePath(item, operand.path);
  if (operand.kind === 'path' || value === undefined) return value;
  // size() of a string counts UTF-8 bytes, like DynamoDB's own size accounting.
  switch (typeOf(value)) {
    case 'S':
      return { N: String(Buffer.byteLength(value.S ?? '', 'utf8')) };
    case 'B':
      return { N: String(value.B?.length ?? 0) };
    case 'M':
      return { N: String(Object.keys(value.M ?? {}).length) };
    case 'L':
      return { N: String(value.L?.length ?? 0) };
    case 'SS':
    case 'NS':
    case 'BS':
      return { N: String(setMembers(value).length) };
    default:
      return undefined;
  }
}

function evaluate(condition: Condition, item: Item): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case 'or':
      return evaluate(condition.left, item) || evaluate(condition.right, item);
    case 'not':
      return !evaluate(condition.condition, item);
    case 'compare': {
      const left = operandValue(condition.left, item);
      const right = operandValue(condition.right, item);
      if (condition.op === '=') return left !== undefined && right !== undefined && valuesEqual(left, right);
      // A missing attribute is "not equal" to anything.
      if (condition.op === '<>')
        return left === undefined || right === undefined || !valuesEqual(left, right);
      if (left === undefined || right === undefined) return false;
      const order = compareScalars(left, right);
      if (order === undefined) return false;
      if (condition.op === '<') return order < 0;
      if (condition.op === '<=') return order <= 0;
      if (condition.op === '>') return order > 0;
      return order >= 0;
    }
    case 'between': {
      const value = operandValue(condition.operand, item);
      const low = operandValue(condition.low, item);
      const high = operandValue(condition.high, item);
      if (value === undefined || low === undefined || high === undefined) return false;
      const fromLow = compareScalars(value, low);
      const toHigh = compareScalars(value, high);
      return fromLow !== undefined && toHigh !== undefined && fromLow >= 0 && toHigh <= 0;
    }
    case 'in': {
      const value = operandValue(condition.operand, item);
      if (value === undefined) return false;
      return condition.candidates.some((candidate) => {
        const other = operandValue(candidate, item);
        return other !== undefined && valuesEqual(value, other);
      });
    }
    case 'function':
      return evaluateFunction(condition.name, condition.args, item);
  }
}

function evaluateFunction(name: ConditionFunction, args: Operand[], item: Item): boolean {
  const [firstOperand, secondOperand] = args;
  const first = firstOperand ? operandValue(firstOperand, item) : undefined;
  const second = secondOperand ? operandValue(secondOperand, item) : undefined;
  switch (name) {
    case 'attribute_exists':
      return first !== undefined;
    case 'attribute_not_exists':
      return first === undefined;
    case 'attribute_type':
      return first !== undefined && second?.S === typeOf(first);
    case 'begins_with':
      if (first?.S !== undefined && second?.S !== undefined) return first.S.startsWith(second.S);
      if (first?.B !== undefined && second?.B !== undefined) return bytesStartWith(first.B, second.B);
      return false;
    case 'contains': {
      if (first === undefined || second === undefined) return false;
      if (first.S !== undefined) return second.S !== undefined && first.S.includes(second.S);
      if (first.B !== undefined) return second.B !== undefined && bytesContain(first.B, second.B);
      if (first.L !== undefined) return first.L.some((element) => valuesEqual(element, second));
      return setMembers(first).some((member) => valuesEqual(member, second));
    }
  }
}

const INCORRECT_OPERAND = 'An operand in the update expression has an incorrect data type';
const INVALID_UPDATE_PATH = 'The document path provided in the update expression is invalid for update';

function updateValue(value: UpdateValue, base: Item): AttributeValue {
  switch (value.kind) {
    case 'value':
      return value.value;
    case 'path': {
      const found = resolvePath(base, value.path);
      if (found === undefined) {
        throw validation('The provided expression refers to an attribute that does not exist in the item');
      }
      return found;
    }
    case 'if_not_exists':
      return resolvePath(base, value.path) ?? updateValue(value.fallback, base);
    case 'list_append': {
      const first = updateValue(value.first, base);
      const second = updateValue(value.second, base);
      if (first.L === undefined || second.L === undefined) throw validation(INCORRECT_OPERAND);
      return { L: [...first.L, ...second.L] };
    }
    case 'arith': {
      const left = updateValue(value.left, base);
      const right = updateValue(value.right, base);
      if (left.N === undefined || right.N === undefined) throw validation(INCORRECT_OPERAND);
      return { N: addNumbers(left.N, right.N, value.op === '-') };
    }
  }
}

/** The container holding the last element of `path`, or an invalid-path error. */
function parentOf(item: Item, path: DocPath): AttributeValue {
  const parent = resolvePath(item, path.slice(0, -1));
  const last = path[path.length - 1];
  if (parent === undefined || (typeof last === 'number' ? parent.L : parent.M) === undefined) {
    throw validation(INVALID_UPDATE_PATH);
  }
  return parent;
}

function setPath(item: Item, path: DocPath, value: AttributeValue): void {
  const last = path[path.length - 1];
  if (path.length === 1 && typeof last === 'string') {
    item[last] = value;
    return;
  }
  const parent = parentOf(item, path);
  if (typeof last === 'number') {
    const list = parent.L ?? [];
    // Past the end appends, as in DynamoDB.
    if (last >= list.length) list.push(value);
    else list[last] = value;
  } else if (last !== undefined && parent.M) {
    parent.M[last] = value;
  }
}

function removePath(item: Item, path: DocPath): void {
  const last = path[path.length - 1];
  if (path.length === 1 && typeof last === 'string') {
    delete item[last];
    return;
  }
  const parent = parentOf(item, path);
  if (typeof last === 'number') parent.L?.splice(last, 1);
  else if (last !== undefined && parent.M) delete parent.M[last];
}

function addToValue(existing: AttributeValue | undefined, operand: AttributeValue): AttributeValue {
  if (existing === undefined) return cloneValue(operand);
  const type = typeOf(operand);
  if (typeOf(existing) !== type) throw validation(INCORRECT_OPERAND);
  if (type === 'N') return { N: addNumbers(existing.N ?? '0', operand.N ?? '0') };
  const members = setMembers(existing);
  for (const member of setMembers(operand)) {
    if (!members.some((m) => valuesEqual(m, member))) members.push(member);
  }
  return makeSet(type as 'SS' | 'NS' | 'BS', members);
}

function deleteFromValue(existing: AttributeValue, operand: AttributeValue): AttributeValue | undefined {
  const type = typeOf(operand);
  if (typeOf(existing) !== type) throw validation(INCORRECT_OPERAND);
  const removed = setMembers(operand);
  const members = setMembers(existing).filter((m) => !removed.some((r) => valuesEqual(m, r)));
  return members.length === 0 ? undefined : makeSet(type as 'SS' | 'NS' | 'BS', members);
}

/** Applies update actions to a copy of the item; every right-hand side reads the item as it was before. */
function applyUpdate(before: Item, actions: UpdateAction[]): Item {
  const after = cloneItem(before);
  const sets = actions.flatMap((a) =>
    a.kind === 'SET' ? [{ path: a.path, value: updateValue(a.value, before) }] : [],
  );
  for (const { path, value } of sets) setPath(after, path, cloneValue(value));
  // Remove higher list indexes first so earlier removals do not shift later ones.
  const removals = actions.filter((a) => a.kind === 'REMOVE');
  removals.sort((a, b) => {
    const x = a.path[a.path.length - 1];
    const y = b.path[b.path.length - 1];
    return typeof x === 'number' && typeof y === 'number' ? y - x : 0;
  });
  for (const action of removals) removePath(after, action.path);
  for (const action of actions) {
    if (action.kind === 'ADD') {
      const existing = resolvePath(after, action.path);
      setPath(after, action.path, addToValue(existing, action.value));
    } else if (action.kind === 'DELETE') {
      const existing = resolvePath(after, action.path);
      if (existing === undefined) continue;
      const remaining = deleteFromValue(existing, action.value);
      if (remaining === undefined) removePath(after, action.path);
      else setPath(after, action.path, remaining);
    }
  }
  return after;
}

// Projection keeps only the requested paths; list elements are compacted in index order, as in DynamoDB.
interface ProjectionNode {
  all: boolean;
  children: Map<PathElement, ProjectionNode>;
}

function projectionTree(paths: DocPath[]): ProjectionNode {
  const root: ProjectionNode = { all: false, children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const element of path) {
      let child = node.children.get(element);
      if (!child) {
        child = { all: false, children: new Map() };
        node.children.set(element, child);
      }
      node = child;
    }
    node.all = true;
  }
  return root;
}

function projectValue(value: AttributeValue, node: ProjectionNode): AttributeValue | undefined {
  if (node.all) return cloneValue(value);
  if (value.M) {
    const map: Item = {};
    for (const [element, child] of node.children) {
      const member = typeof element === 'string' ? value.M[element] : undefined;
      const projected = member && projectValue(member, child);
      if (projected) map[element as string] = projected;
    }
    return Object.keys(map).length > 0 ? { M: map } : undefined;
  }
  if (value.L) {
    const indexes = [...node.children.keys()]
      .filter((e): e is number => typeof e === 'number')
      .sort((a, b) => a - b);
    const list: AttributeValue[] = [];
    for (const index of indexes) {
      const member = value.L[index];
      const child = node.children.get(index);
      const projected = member && child && projectValue(member, child);
      if (projected) list.push(projected);
    }
    return list.length > 0 ? { L: list } : undefined;
  }
  return undefined;
}

function projectItem(item: Item, paths: DocPath[]): Item {
  return projectValue({ M: item }, projectionTree(paths))?.M ?? {};
}

// ---------------------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------------------

export interface KeySchema {
  partitionKey: string;
  sortKey?: string;
}

export interface IndexDefinition extends KeySchema {
  IndexName: string;
  /** Attributes copied into the index; every attribute by default. */
  projection?: 'ALL' | 'KEYS_ONLY' | { include: string[] };
}

export interface TableDefinition extends KeySchema {
  TableName: string;
  globalSecondaryIndexes?: IndexDefinition[];
  /** Declared key attribute types; undeclared key attributes accept any of S, N and B. */
  attributeTypes?: Record<string, KeyType>;
}

interface Table {
  definition: TableDefinition;
  arn: string;
  createdAt: number;
  key: KeySchema;
  indexes: Map<string, IndexDefinition>;
  items: Map<string, Item>;
  /** Partition key encoding → primary key strings, so Query touches one partition only. */
  partitions: Map<string, Set<string>>;
  indexPartitions: Map<string, Map<string, Set<string>>>;
  /** Sorted primary key strings for Scan; rebuilt lazily after inserts and deletes. */
  scanOrder: string[] | undefined;
}

function encodeScalar(av: AttributeValue): string {
  if (av.S !== undefined) return `S${av.S}`;
  if (av.N !== undefined) return `N${av.N}`;
  return `B${Buffer.from(av.B ?? []).toString('base64')}`;
}

function isKeyScalar(av: AttributeValue | undefined): av is AttributeValue {
  return av !== undefined && (av.S !== undefined || av.N !== undefined || av.B !== undefined);
}

function primaryKeyString(schema: KeySchema, item: Item): string {
  const pk = item[schema.partitionKey];
  const sk = schema.sortKey === undefined ? undefined : item[schema.sortKey];
  return JSON.stringify(sk ? [encodeScalar(pk ?? {}), encodeScalar(sk)] : [encodeScalar(pk ?? {})]);
}

function keyAttributes(schema: KeySchema): string[] {
  return schema.sortKey === undefined ? [schema.partitionKey] : [schema.partitionKey, schema.sortKey];
}

function pickKey(item: Item, names: string[]): Item {
  const key: Item = {};
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) key[name] = cloneValue(value);
  }
  return key;
}

type ReturnValues = 'NONE' | 'ALL_OLD' | 'ALL_NEW' | 'UPDATED_OLD' | 'UPDATED_NEW';

/** A validated single-item write, ready to check and apply; shared by the item APIs and transactions. */
interface WritePlan {
  table: Table;
  keyString: string;
  key: Item;
  condition: Condition | undefined;
  returnOldOnFailure: boolean;
  /** The new state of the item from its current one; `undefined` deletes, `null` leaves it untouched. */
  apply: (current: Item | undefined) => Item | undefined | null;
  updatedPaths: DocPath[];
}

interface ExpressionSet {
  condition?: Condition;
  filter?: Condition;
  keyCondition?: Condition;
  projection?: DocPath[];
  update?: UpdateAction[];
}

type Input = Record<string, unknown>;

function optionalString(input: Input, key: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw validation(`${key} must be a string`);
  return value;
}

const LEGACY_PARAMETERS = [
  'Expected',
  'AttributesToGet',
  'KeyConditions',
  'QueryFilter',
  'ScanFilter',
  'AttributeUpdates',
  'ConditionalOperator',
];

/** Parses every expression of a request against one set of placeholders, then insists all were used. */
function parseExpressions(input: Input): ExpressionSet {
  for (const legacy of LEGACY_PARAMETERS) {
    if (input[legacy] !== undefined) {
      throw validation(`The sandbox supports expressions only; legacy parameter ${legacy} is not supported`);
    }
  }
  const placeholders = new Placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
  const sources: Array<[ExpressionKind, string | undefined]> = [
    ['ConditionExpression', optionalString(input, 'ConditionExpression')],
    ['FilterExpression', optionalString(input, 'FilterExpression')],
    ['KeyConditionExpression', optionalString(input, 'KeyConditionExpression')],
    ['ProjectionExpression', optionalString(input, 'ProjectionExpression')],
    ['UpdateExpression', optionalString(input, 'UpdateExpression')],
  ];
  if (sources.every(([, source]) => source === undefined)) {
    if (input.ExpressionAttributeNames !== undefined) {
      throw validation('ExpressionAttributeNames can only be specified when using expressions');
    }
    if (input.ExpressionAttributeValues !== undefined) {
      throw validation('ExpressionAttributeValues can only be specified when using expressions');
    }
  }
  const result: ExpressionSet = {};
  for (const [kind, source] of sources) {
    if (source === undefined) continue;
    const parser = new Parser(kind, source, placeholders);
    if (kind === 'ConditionExpression') result.condition = parser.parseCondition();
    else if (kind === 'FilterExpression') result.filter = parser.parseCondition();
    else if (kind === 'KeyConditionExpression') result.keyCondition = parser.parseCondition();
    else if (kind === 'ProjectionExpression') result.projection = parser.parseProjection();
    else result.update = parser.parseUpdate();
  }
  placeholders.checkAllUsed();
  return result;
}

interface KeyRange {
  partition: AttributeValue;
  sort?: (value: AttributeValue) => boolean;
}

/** Checks a key condition is `pk = :v [AND <sort key predicate>]` on the queried schema. */
function keyRange(condition: Condition, schema: KeySchema): KeyRange {
  const terms: Condition[] = [];
  const flatten = (c: Condition): void => {
    if (c.kind === 'and') {
      flatten(c.left);
      flatten(c.right);
    } else terms.push(c);
  };
  flatten(condition);
  let partition: AttributeValue | undefined;
  let sort: ((value: AttributeValue) => boolean) | undefined;
  const unsupported = (): AwsError => validation('Query key condition not supported');
  const twice = (): AwsError => validation('KeyConditionExpressions must only contain one condition per key');
  for (const term of terms) {
    let attribute: DocPath;
    let predicate: (value: AttributeValue) => boolean;
    let equality: AttributeValue | undefined;
    if (term.kind === 'compare') {
      if (term.op === '<>') throw validation('Unsupported operator on KeyConditionExpression: operator: <>');
      const flipped = term.left.kind === 'value';
      const pathSide = flipped ? term.right : term.left;
      const valueSide = flipped ? term.left : term.right;
      if (pathSide.kind !== 'path' || valueSide.kind !== 'value') throw unsupported();
      attribute = pathSide.path;
      const bound = valueSide.value;
      const flip: Record<Comparator, Comparator> = {
        '=': '=',
        '<>': '<>',
        '<': '>',
        '<=': '>=',
        '>': '<',
        '>=': '<=',
      };
      const op = flipped ? flip[term.op] : term.op;
      const probe = (v: AttributeValue): Condition => ({
        kind: 'compare',
        op,
        left: { kind: 'value', value: v },
        right: { kind: 'value', value: bound },
      });
      predicate = (v) => evaluate(probe(v), {});
      if (op === '=') equality = bound;
    } else if (term.kind === 'between') {
      const { operand, low, high } = term;
      if (operand.kind !== 'path' || low.kind !== 'value' || high.kind !== 'value') throw unsupported();
      attribute = operand.path;
      predicate = (v) => evaluate({ ...term, operand: { kind: 'value', value: v } }, {});
    } else if (term.kind === 'function' && term.name === 'begins_with') {
      const [first, second] = term.args;
      if (first?.kind !== 'path' || second?.kind !== 'value') throw unsupported();
      attribute = first.path;
      predicate = (v) => evaluateFunction('begins_with', [{ kind: 'value', value: v }, second], {});
    } else {
      const operator = term.kind === 'function' ? term.name : term.kind.toUpperCase();
      throw validation(`Invalid operator used in KeyConditionExpression: ${operator}`);
    }
    const [name, ...nested] = attribute;
    if (nested.length > 0) throw unsupported();
    if (name === schema.partitionKey) {
      if (partition !== undefined) throw twice();
      if (equality === undefined) throw unsupported();
      partition = equality;
    } else if (name === schema.sortKey) {
      if (sort !== undefined) throw twice();
      sort = predicate;
    } else {
      throw partition === undefined
        ? validation(`Query condition missed key schema element: ${schema.partitionKey}`)
        : unsupported();
    }
  }
  if (partition === undefined)
    throw validation(`Query condition missed key schema element: ${schema.partitionKey}`);
  return sort ? { partition, sort } : { partition };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function tableNameFrom(input: Input): string {
  const raw = input.TableName;
  if (typeof raw !== 'string' || raw.length === 0) {
    throw validation(
      "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    );
  }
  // The SDK accepts table ARNs in TableName.
  const arn = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/(.+)$/.exec(raw);
  return arn?.[1] ?? raw;
}

function returnValuesOf(input: Input, allowed: ReturnValues[]): ReturnValues {
  const value = input.ReturnValues ?? 'NONE';
  if (typeof value !== 'string' || !(allowed as string[]).includes(value)) {
    throw validation('Return values set to invalid value');
  }
  return value as ReturnValues;
}

function returnOldOnFailure(input: Input): boolean {
  const value = input.ReturnValuesOnConditionCheckFailure ?? 'NONE';
  if (value !== 'NONE' && value !== 'ALL_OLD')
    throw validation('Return values on condition check failure set to invalid value');
  return value === 'ALL_OLD';
}

function conditionalCheckFailed(item: Item | undefined): AwsError {
  const error = new AwsError('ConditionalCheckFailedException', 'The conditional request failed');
  return item ? Object.assign(error, { Item: cloneItem(item) }) : error;
}

export class DynamoDbService implements SandboxService {
  readonly name = 'dynamodb' as const;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly tables = new Map<string, Table>();
  private readonly transactionTokens = new Map<string, { fingerprint: string; at: number }>();

  constructor(private readonly ctx: AccountContext) {
    this.operations = {
      PutItem: (input) => this.putItem(input),
      GetItem: (input) => this.getItem(input),
      UpdateItem: (input) => this.updateItem(input),
      DeleteItem: (input) => this.deleteItem(input),
      Query: (input) => this.query(input),
      Scan: (input) => this.scan(input),
      TransactWriteItems: (input) => this.transactWriteItems(input),
      TransactGetItems: (input) => this.transactGetItems(input),
      BatchGetItem: (input) => this.batchGetItem(input),
      BatchWriteItem: (input) => this.batchWriteItem(input),
      DescribeTable: (input) => this.describeTable(input),
      ListTables: () => ({ TableNames: [...this.tables.keys()].sort() }),
    };
  }

  // --- provisioning ------------------------------------------------------------------------------------

  createTable(definition: TableDefinition): void {
    if (this.tables.has(definition.TableName)) {
      throw new AwsError('ResourceInUseException', `Table already exists: ${definition.TableName}`);
    }
    const { partitionKey, sortKey } = definition;
    const indexes = new Map(
      (definition.globalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]),
    );
    const table: Table = {
      definition: structuredClone(definition),
      arn: `arn:${this.ctx.partition}:dynamodb:${this.ctx.region}:${this.ctx.accountId}:table/${definition.TableName}`,
      createdAt: this.ctx.now(),
      key: sortKey === undefined ? { partitionKey } : { partitionKey, sortKey },
      indexes,
      items: new Map(),
      partitions: new Map(),
      indexPartitions: new Map([...indexes.keys()].map((name) => [name, new Map()])),
      scanOrder: undefined,
    };
    this.tables.set(definition.TableName, table);
  }

  /** Copies of a table's items in the SDK's AttributeValue type (ready for `unmarshall`), for tests and the CLI. */
  items(tableName: string): Array<Record<string, SdkAttributeValue>> {
    // Stored values carry exactly one type tag, which is what the SDK's union type describes.
    return [...this.table(tableName).items.values()].map(cloneItem) as Array<
      Record<string, SdkAttributeValue>
    >;
  }

  snapshot(): unknown {
    return {
      tables: [...this.tables.values()].map((table) => ({
        definition: table.definition,
        createdAt: table.createdAt,
        items: [...table.items.values()].map(toJsonItem),
      })),
    };
  }

  restore(state: unknown): void {
    this.tables.clear();
    const tables = isRecord(state) && Array.isArray(state.tables) ? state.tables : [];
    for (const entry of tables) {
      if (!isRecord(entry) || !isRecord(entry.definition)) continue;
      const definition = entry.definition as unknown as TableDefinition;
      this.createTable(definition);
      const table = this.table(definition.TableName);
      if (typeof entry.createdAt === 'number') table.createdAt = entry.createdAt;
      for (const raw of Array.isArray(entry.items) ? entry.items : []) {
        const item = importItem(isRecord(raw) ? fromJsonItem(raw) : raw, 'Item');
        this.store(table, primaryKeyString(table.key, item), item);
      }
    }
  }

  // --- storage -----------------------------------------------------------------------------------------

  private table(name: string): Table {
    const table = this.tables.get(name);
    if (!table) throw new AwsError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  private static addTo(map: Map<string, Set<string>>, key: string, member: string): void {
    let members = map.get(key);
    if (!members) {
      members = new Set();
      map.set(key, members);
    }
    members.add(member);
  }

  private static removeFrom(map: Map<string, Set<string>>, key: string, member: string): void {
    const members = map.get(key);
    members?.delete(member);
    if (members?.size === 0) map.delete(key);
  }

  private indexEntries(table: Table, item: Item): Array<[Map<string, Set<string>>, string]> {
    const entries: Array<[Map<string, Set<string>>, string]> = [];
    for (const [name, index] of table.indexes) {
      const pk = item[index.partitionKey];
      const sk = index.sortKey === undefined ? undefined : item[index.sortKey];
      // Sparse index: items without the index keys are not in it.
      if (!isKeyScalar(pk) || (index.sortKey !== undefined && !isKeyScalar(sk))) continue;
      const partitions = table.indexPartitions.get(name);
      if (partitions) entries.push([partitions, encodeScalar(pk)]);
    }
    return entries;
  }

  /** Writes (or deletes) one item, keeping the partition and index maps in step. */
  private store(table: Table, keyString: string, item: Item | undefined): void {
    const old = table.items.get(keyString);
    if (old) {
      DynamoDbService.removeFrom(
        table.partitions,
        encodeScalar(old[table.key.partitionKey] ?? {}),
        keyString,
      );
      for (const [map, key] of this.indexEntries(table, old)) DynamoDbService.removeFrom(map, key, keyString);
    }
    if (item) {
      table.items.set(keyString, item);
      DynamoDbService.addTo(table.partitions, encodeScalar(item[table.key.partitionKey] ?? {}), keyString);
      for (const [map, key] of this.indexEntries(table, item)) DynamoDbService.addTo(map, key, keyString);
      if (!old) table.scanOrder = undefined;
    } else if (old) {
      table.items.delete(keyString);
      table.scanOrder = undefined;
    }
  }

  private checkKeyValue(table: Table, name: string, value: AttributeValue, index?: string): void {
    const declared = table.definition.attributeTypes?.[name];
    const actual = typeOf(value);
    if (declared ? actual !== declared : !isKeyScalar(value)) {
      const expected = declared ?? 'S';
      throw validation(
        index
          ? `One or more parameter values were invalid: Type mismatch for Index Key ${name} Expected: ${expected} Actual: ${actual} IndexName: ${index}`
          : `One or more parameter values were invalid: Type mismatch for key ${name} expected: ${expected} actual: ${actual}`,
      );
    }
    if (value.S === '' || value.B?.length === 0) {
      throw validation(
        index
          ? `One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${value.S === '' ? 'string' : 'binary'} value. IndexName: ${index}, IndexKey: ${name}`
          : `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${value.S === '' ? 'string' : 'binary'} value. Key: ${name}`,
      );
    }
  }

  /** Validates a whole item about to be stored: primary key, index keys and size. */
  private checkItem(table: Table, item: Item, tooLarge: string): void {
    for (const name of keyAttributes(table.key)) {
      const value = item[name];
      if (value === undefined)
        throw validation(`One or more parameter values were invalid: Missing the key ${name} in the item`);
      this.checkKeyValue(table, name, value);
    }
    for (const [indexName, index] of table.indexes) {
      for (const name of keyAttributes(index)) {
        const value = item[name];
        if (value !== undefined) this.checkKeyValue(table, name, value, indexName);
      }
    }
    if (itemSize(item) > MAX_ITEM_BYTES) throw validation(tooLarge);
  }

  /** Validates a `Key` parameter: exactly the table's key attributes, of key types. */
  private readKey(table: Table, raw: unknown): { key: Item; keyString: string } {
    const key = importItem(raw, 'Key');
    const names = keyAttributes(table.key);
    if (Object.keys(key).length !== names.length || names.some((n) => key[n] === undefined)) {
      throw validation('The provided key element does not match the schema');
    }
    for (const name of names) this.checkKeyValue(table, name, key[name] ?? {});
    return { key, keyString: primaryKeyString(table.key, key) };
  }

  // --- single-item writes ------------------------------------------------------------------------------

  private planPut(input: Input): WritePlan {
    const table = this.table(tableNameFrom(input));
    const item = importItem(input.Item, 'Item');
    this.checkItem(table, item, 'Item size has exceeded the maximum allowed size');
    const expressions = parseExpressions(input);
    if (expressions.update || expressions.filter || expressions.keyCondition || expressions.projection) {
      throw validation('PutItem accepts only a ConditionExpression');
    }
    return {
      table,
      keyString: primaryKeyString(table.key, item),
      key: pickKey(item, keyAttributes(table.key)),
      condition: expressions.condition,
      returnOldOnFailure: returnOldOnFailure(input),
      apply: () => cloneItem(item),
      updatedPaths: [],
    };
  }

  private planDelete(input: Input, conditionCheck = false): WritePlan {
    const table = this.table(tableNameFrom(input));
    const { key, keyString } = this.readKey(table, input.Key);
    const expressions = parseExpressions(input);
    if (expressions.update || expressions.filter || expressions.keyCondition || expressions.projection) {
      throw validation(
        `${conditionCheck ? 'ConditionCheck' : 'DeleteItem'} accepts only a ConditionExpression`,
      );
    }
    if (conditionCheck && !expressions.condition) {
      throw validation('The ConditionExpression parameter is required for a ConditionCheck');
    }
    return {
      table,
      keyString,
      key,
      condition: expressions.condition,
      returnOldOnFailure: returnOldOnFailure(input),
      apply: () => (conditionCheck ? null : undefined),
      updatedPaths: [],
    };
  }

  private planUpdate(input: Input): WritePlan {
    const table = this.table(tableNameFrom(input));
    const { key, keyString } = this.readKey(table, input.Key);
    const expressions = parseExpressions(input);
    if (expressions.filter || expressions.keyCondition || expressions.projection) {
      throw validation('UpdateItem accepts only an UpdateExpression and a ConditionExpression');
    }
    const actions = expressions.update ?? [];
    const keyNames = keyAttributes(table.key);
    for (const action of actions) {
      const [attribute] = action.path;
      if (typeof attribute === 'string' && keyNames.includes(attribute)) {
        throw validation(
          `One or more parameter values were invalid: Cannot update attribute ${attribute}. This attribute is part of the key`,
        );
      }
    }
    return {
      table,
      keyString,
      key,
      condition: expressions.condition,
      returnOldOnFailure: returnOldOnFailure(input),
      apply: (current) => {
        const next = applyUpdate(current ?? key, actions);
        this.checkItem(table, next, 'Item size to update has exceeded the maximum allowed size');
        return next;
      },
      updatedPaths: actions.map((a) => a.path),
    };
  }

  /** Checks the condition and computes the new state without storing it. */
  private evaluatePlan(plan: WritePlan): { current: Item | undefined; next: Item | undefined | null } {
    const current = plan.table.items.get(plan.keyString);
    if (plan.condition && !evaluate(plan.condition, current ?? {})) {
      throw conditionalCheckFailed(plan.returnOldOnFailure ? current : undefined);
    }
    return { current, next: plan.apply(current) };
  }

  private commit(plan: WritePlan, next: Item | undefined | null): void {
    if (next !== null) this.store(plan.table, plan.keyString, next);
  }

  private putItem(input: Input): unknown {
    const returnValues = returnValuesOf(input, ['NONE', 'ALL_OLD']);
    const plan = this.planPut(input);
    const { current, next } = this.evaluatePlan(plan);
    this.commit(plan, next);
    return returnValues === 'ALL_OLD' && current ? { Attributes: cloneItem(current) } : {};
  }

  private deleteItem(input: Input): unknown {
    const returnValues = returnValuesOf(input, ['NONE', 'ALL_OLD']);
    const plan = this.planDelete(input);
    const { current, next } = this.evaluatePlan(plan);
    this.commit(plan, next);
    return returnValues === 'ALL_OLD' && current ? { Attributes: cloneItem(current) } : {};
  }

  private updateItem(input: Input): unknown {
    const returnValues = returnValuesOf(input, ['NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']);
    const plan = this.planUpdate(input);
    const { current, next } = this.evaluatePlan(plan);
    this.commit(plan, next);
    const after = next ?? undefined;
    let attributes: Item | undefined;
    if (returnValues === 'ALL_OLD') attributes = current && cloneItem(current);
    else if (returnValues === 'ALL_NEW') attributes = after && cloneItem(after);
    else if (returnValues === 'UPDATED_OLD') attributes = current && projectItem(current, plan.updatedPaths);
    else if (returnValues === 'UPDATED_NEW') attributes = after && projectItem(after, plan.updatedPaths);
    return attributes && Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  }

  // --- reads -------------------------------------------------------------------------------------------

  private getItem(input: Input): unknown {
    const table = this.table(tableNameFrom(input));
    const { keyString } = this.readKey(table, input.Key);
    const expressions = parseExpressions(input);
    if (expressions.condition || expressions.filter || expressions.keyCondition || expressions.update) {
      throw validation('GetItem accepts only a ProjectionExpression');
    }
    const item = table.items.get(keyString);
    if (!item) return {};
    return { Item: expressions.projection ? projectItem(item, expressions.projection) : cloneItem(item) };
  }

  private output(item: Item, table: Table, index: IndexDefinition | undefined, projection?: DocPath[]): Item {
    let visible = item;
    const indexProjection = index?.projection ?? 'ALL';
    if (index && indexProjection !== 'ALL') {
      const names = [...keyAttributes(table.key), ...keyAttributes(index)];
      if (typeof indexProjection === 'object') names.push(...indexProjection.include);
      visible = pickKey(item, names);
    }
    return projection ? projectItem(visible, projection) : cloneItem(visible);
  }

  private readSearchOptions(input: Input, table: Table) {
    const indexName = optionalString(input, 'IndexName');
    const index = indexName === undefined ? undefined : table.indexes.get(indexName);
    if (indexName !== undefined && !index) {
      throw validation(`The table does not have the specified index: ${indexName}`);
    }
    if (index && input.ConsistentRead === true) {
      throw validation('Consistent reads are not supported on global secondary indexes');
    }
    const limit = input.Limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
      throw validation(
        `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    }
    const select = input.Select;
    const lastKeyNames = [...new Set([...keyAttributes(table.key), ...(index ? keyAttributes(index) : [])])];
    let start: Item | undefined;
    if (input.ExclusiveStartKey !== undefined) {
      start = importItem(input.ExclusiveStartKey, 'ExclusiveStartKey');
      const names = Object.keys(start);
      if (names.length !== lastKeyNames.length || lastKeyNames.some((n) => !isKeyScalar(start?.[n]))) {
        throw validation(
          'The provided starting key is invalid: The provided key element does not match the schema',
        );
      }
    }
    return { index, limit: limit as number | undefined, countOnly: select === 'COUNT', lastKeyNames, start };
  }

  /** Walks candidate items in order, applying Limit (items evaluated), the 1 MB page cap and the filter. */
  private page(
    ordered: Item[],
    options: { limit: number | undefined; countOnly: boolean; lastKeyNames: string[] },
    filter: Condition | undefined,
    emit: (item: Item) => Item,
  ): Record<string, unknown> {
    const items: Item[] = [];
    let scanned = 0;
    let bytes = 0;
    let lastEvaluated: Item | undefined;
    for (const item of ordered) {
      scanned++;
      bytes += itemSize(item);
      if (!filter || evaluate(filter, item)) {
        if (!options.countOnly) items.push(emit(item));
      }
      const full = bytes >= MAX_PAGE_BYTES && scanned < ordered.length;
      // Like DynamoDB, reaching Limit yields a LastEvaluatedKey even when nothing follows.
      if (scanned === options.limit || full) {
        lastEvaluated = pickKey(item, options.lastKeyNames);
        break;
      }
    }
    const count = options.countOnly
      ? ordered.slice(0, scanned).filter((i) => !filter || evaluate(filter, i)).length
      : items.length;
    return {
      ...(options.countOnly ? {} : { Items: items }),
      Count: count,
      ScannedCount: scanned,
      ...(lastEvaluated ? { LastEvaluatedKey: lastEvaluated } : {}),
    };
  }

  private query(input: Input): unknown {
    const table = this.table(tableNameFrom(input));
    const options = this.readSearchOptions(input, table);
    const expressions = parseExpressions(input);
    if (expressions.condition || expressions.update) {
      throw validation(
        'Query accepts KeyConditionExpression, FilterExpression and ProjectionExpression only',
      );
    }
    if (!expressions.keyCondition) {
      throw validation(
        'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
      );
    }
    const schema: KeySchema = options.index ?? table.key;
    const range = keyRange(expressions.keyCondition, schema);
    const partitions = options.index ? table.indexPartitions.get(options.index.IndexName) : table.partitions;
    const members = partitions?.get(encodeScalar(range.partition)) ?? new Set<string>();
    const sortKey = schema.sortKey;
    const candidates: Item[] = [];
    for (const keyString of members) {
      const item = table.items.get(keyString);
      if (!item) continue;
      const sortValue = sortKey === undefined ? undefined : item[sortKey];
      if (range.sort && (!sortValue || !range.sort(sortValue))) continue;
      candidates.push(item);
    }
    const forward = input.ScanIndexForward !== false;
    // Index items sharing a sort key are ordered by table key so pagination is stable.
    const compare = (a: Item, b: Item): number => {
      const bySort = sortKey === undefined ? 0 : (compareScalars(a[sortKey] ?? {}, b[sortKey] ?? {}) ?? 0);
      if (bySort !== 0 || !options.index) return forward ? bySort : -bySort;
      const byKey = compareStrings(primaryKeyString(table.key, a), primaryKeyString(table.key, b));
      return forward ? byKey : -byKey;
    };
    candidates.sort(compare);
    const start = options.start;
    const ordered = start ? candidates.filter((item) => compare(item, start) > 0) : candidates;
    return this.page(ordered, options, expressions.filter, (item) =>
      this.output(item, table, options.index, expressions.projection),
    );
  }

  private scan(input: Input): unknown {
    const table = this.table(tableNameFrom(input));
    const options = this.readSearchOptions(input, table);
    const expressions = parseExpressions(input);
    if (expressions.condition || expressions.update || expressions.keyCondition) {
      throw validation('Scan accepts FilterExpression and ProjectionExpression only');
    }
    const { Segment: segment, TotalSegments: totalSegments } = input;
    if ((segment === undefined) !== (totalSegments === undefined)) {
      throw validation('Segment and TotalSegments must be specified together');
    }
    if (
      typeof totalSegments === 'number' &&
      (typeof segment !== 'number' || segment < 0 || segment >= totalSegments || totalSegments < 1)
    ) {
      throw validation(
        `The Segment parameter is invalid: Segment: ${String(segment)}, TotalSegments: ${totalSegments}`,
      );
    }
    table.scanOrder ??= [...table.items.keys()].sort();
    const order = table.scanOrder;
    let from = 0;
    if (options.start) {
      const startKey = primaryKeyString(table.key, options.start);
      let low = 0;
      let high = order.length;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if ((order[mid] ?? '') <= startKey) low = mid + 1;
        else high = mid;
      }
      from = low;
    }
    const ordered: Item[] = [];
    for (let i = from; i < order.length; i++) {
      const keyString = order[i] ?? '';
      if (typeof totalSegments === 'number' && fnv1a(keyString) % totalSegments !== segment) continue;
      const item = table.items.get(keyString);
      if (!item) continue;
      if (options.index && !keyAttributes(options.index).every((n) => isKeyScalar(item[n]))) continue;
      ordered.push(item);
      // Only as many items as one page can hold are needed.
      if (options.limit !== undefined && ordered.length >= options.limit) break;
    }
    return this.page(ordered, options, expressions.filter, (item) =>
      this.output(item, table, options.index, expressions.projection),
    );
  }

  // --- batches and transactions ------------------------------------------------------------------------

  private batchGetItem(input: Input): unknown {
    const requests = isRecord(input.RequestItems) ? input.RequestItems : {};
    const responses: Record<string, Item[]> = {};
    let total = 0;
    for (const [tableName, rawRequest] of Object.entries(requests)) {
      const request = isRecord(rawRequest) ? rawRequest : {};
      const table = this.table(tableName);
      const keys = Array.isArray(request.Keys) ? request.Keys : [];
      total += keys.length;
      const { Keys: _keys, ...expressionInput } = request;
      const expressions = parseExpressions(expressionInput);
      const seen = new Set<string>();
      const found: Item[] = [];
      for (const rawKey of keys) {
        const { keyString } = this.readKey(table, rawKey);
        if (seen.has(keyString)) throw validation('Provided list of item keys contains duplicates');
        seen.add(keyString);
        const item = table.items.get(keyString);
        if (item)
          found.push(expressions.projection ? projectItem(item, expressions.projection) : cloneItem(item));
      }
      responses[tableName] = found;
    }
    if (total === 0 || total > 100) {
      throw validation('Too many items requested for the BatchGetItem call');
    }
    return { Responses: responses, UnprocessedKeys: {} };
  }

  private batchWriteItem(input: Input): unknown {
    const requests = isRecord(input.RequestItems) ? input.RequestItems : {};
    const plans: WritePlan[] = [];
    for (const [tableName, rawList] of Object.entries(requests)) {
      for (const raw of Array.isArray(rawList) ? rawList : []) {
        const request = isRecord(raw) ? raw : {};
        if (isRecord(request.PutRequest))
          plans.push(this.planPut({ TableName: tableName, Item: request.PutRequest.Item }));
        else if (isRecord(request.DeleteRequest)) {
          plans.push(this.planDelete({ TableName: tableName, Key: request.DeleteRequest.Key }));
        } else
          throw validation(
            'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
          );
      }
    }
    if (plans.length === 0 || plans.length > 25) {
      throw validation(
        `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]`,
      );
    }
    this.checkDistinct(plans, 'Provided list of item keys contains duplicates');
    for (const plan of plans) this.commit(plan, this.evaluatePlan(plan).next);
    return { UnprocessedItems: {} };
  }

  private checkDistinct(plans: WritePlan[], message: string): void {
    const seen = new Set<string>();
    for (const plan of plans) {
      const id = `${plan.table.definition.TableName}\u0000${plan.keyString}`;
      if (seen.has(id)) throw validation(message);
      seen.add(id);
    }
  }

  private transactWriteItems(input: Input): unknown {
    const entries = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    if (entries.length === 0 || entries.length > 100) {
      throw validation(
        `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1`,
      );
    }
    const token = optionalString(input, 'ClientRequestToken');
    const fingerprint = token === undefined ? '' : JSON.stringify(entries);
    if (token !== undefined) {
      const previous = this.transactionTokens.get(token);
      // Idempotency window of ten minutes, as in DynamoDB.
      if (previous && this.ctx.now() - previous.at < 10 * 60 * 1000) {
        if (previous.fingerprint !== fingerprint) {
          throw new AwsError(
            'IdempotentParameterMismatchException',
            'Request parameters do not match the previous request with the same client token',
          );
        }
        return {};
      }
    }
    const plans = entries.map((raw: unknown): WritePlan => {
      const entry = isRecord(raw) ? raw : {};
      const kinds = ['Put', 'Update', 'Delete', 'ConditionCheck'].filter((k) => entry[k] !== undefined);
      const [kind] = kinds;
      const body = kind === undefined ? undefined : entry[kind];
      if (kinds.length !== 1 || !isRecord(body)) {
        throw validation('TransactItems can only contain one of Check, Put, Update or Delete');
      }
      if (kind === 'Put') return this.planPut(body);
      if (kind === 'Update') {
        if (body.UpdateExpression === undefined)
          throw validation('The UpdateExpression parameter is required for an Update');
        return this.planUpdate(body);
      }
      return this.planDelete(body, kind === 'ConditionCheck');
    });
    this.checkDistinct(plans, 'Transaction request cannot include multiple operations on one item');
    const reasons: Array<{ Code: string; Message?: string; Item?: Item }> = [];
    const outcomes: Array<Item | undefined | null> = [];
    for (const plan of plans) {
      try {
        outcomes.push(this.evaluatePlan(plan).next);
        reasons.push({ Code: 'None' });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        outcomes.push(null);
        if (error.name === 'ConditionalCheckFailedException') {
          const current = plan.returnOldOnFailure ? plan.table.items.get(plan.keyString) : undefined;
          reasons.push({
            Code: 'ConditionalCheckFailed',
            Message: 'The conditional request failed',
            ...(current ? { Item: cloneItem(current) } : {}),
          });
        } else {
          reasons.push({ Code: 'ValidationError', Message: error.message });
        }
      }
    }
    if (reasons.some((r) => r.Code !== 'None')) {
      const codes = reasons.map((r) => r.Code).join(', ');
      throw Object.assign(
        new AwsError(
          'TransactionCanceledException',
          `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
        ),
        { CancellationReasons: reasons },
      );
    }
    plans.forEach((plan, i) => {
      this.commit(plan, outcomes[i]);
    });
    if (token !== undefined) this.transactionTokens.set(token, { fingerprint, at: this.ctx.now() });
    return {};
  }

  private transactGetItems(input: Input): unknown {
    const entries = Array.isArray(input.TransactItems) ? input.TransactItems : [];
    if (entries.length === 0 || entries.length > 100) {
      throw validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint");
    }
    const responses = entries.map((raw: unknown) => {
      const get = isRecord(raw) && isRecord(raw.Get) ? raw.Get : undefined;
      if (!get) throw validation('TransactItems can only contain Get');
      const result = this.getItem(get) as { Item?: Item };
      return result.Item ? { Item: result.Item } : {};
    });
    return { Responses: responses };
  }

  private describeTable(input: Input): unknown {
    const table = this.table(tableNameFrom(input));
    const keySchema = (schema: KeySchema) => [
      { AttributeName: schema.partitionKey, KeyType: 'HASH' },
      ...(schema.sortKey === undefined ? [] : [{ AttributeName: schema.sortKey, KeyType: 'RANGE' }]),
    ];
    const names = new Set([
      ...keyAttributes(table.key),
      ...[...table.indexes.values()].flatMap(keyAttributes),
    ]);
    return {
      Table: {
        TableName: table.definition.TableName,
        TableArn: table.arn,
        TableStatus: 'ACTIVE',
        CreationDateTime: new Date(table.createdAt),
        KeySchema: keySchema(table.key),
        AttributeDefinitions: [...names].map((name) => ({
          AttributeName: name,
          AttributeType: table.definition.attributeTypes?.[name] ?? 'S',
        })),
        ItemCount: table.items.size,
        BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
        ...(table.indexes.size > 0
          ? {
              GlobalSecondaryIndexes: [...table.indexes.values()].map((index) => ({
                IndexName: index.IndexName,
                KeySchema: keySchema(index),
                IndexStatus: 'ACTIVE',
                Projection: {
                  ProjectionType:
                    typeof index.projection === 'object' ? 'INCLUDE' : (index.projection ?? 'ALL'),
                },
                ItemCount: [...(table.indexPartitions.get(index.IndexName)?.values() ?? [])].reduce(
                  (sum, members) => sum + members.size,
                  0,
                ),
              })),
            }
          : {}),
      },
    };
  }
}
