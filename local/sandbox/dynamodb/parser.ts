/**
 * Recursive-descent parser for condition, filter, key-condition, update and projection expressions, with the
 * checks (operand types, function arity, overlapping paths) DynamoDB makes before it reads any item.
 */
import type { AwsError } from '../types';
import type {
  Comparator,
  Condition,
  ConditionFunction,
  DocPath,
  Operand,
  UpdateAction,
  UpdateValue,
} from './ast';
import { validation } from './errors';
import type { Placeholders } from './placeholders';
import { type ExpressionKind, RESERVED_WORDS, syntaxError, type Token, tokenize } from './tokens';
import {
  type AttributeValue,
  compareScalars,
  LONG_TYPE_NAMES,
  TYPE_TAGS,
  toJsonValue,
  typeOf,
} from './values';

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
export class Parser {
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
