/**
 * Sandbox SNS: topics that record what is published to them, validating Publish as SNS does (subject
 * rules, the 256 KiB payload cap, JSON message structure, typed message attributes, FIFO parameters) so a
 * notification that AWS would reject fails here as well.
 */
import { isRecord, uuidFromHex } from './shared';
import { type AccountContext, AwsError, type Operation, RECENT_RECORDS, type SandboxService } from './types';

type Input = Record<string, unknown>;

export interface PublishedMessage {
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  /** Attribute values flattened to strings (binary ones as base64). */
  attributes: Record<string, string>;
}

interface Topic {
  arn: string;
  name: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
}

interface StoredMessage extends PublishedMessage {
  messageId: string;
  messageGroupId?: string;
  messageDeduplicationId?: string;
  sequenceNumber?: string;
}

export interface TopicOptions {
  /** FIFO topics only: derive the deduplication id from the message body. */
  contentBasedDeduplication?: boolean;
}

const MAX_PAYLOAD_BYTES = 262144;
const MAX_ATTRIBUTES = 10;

function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameter', `Invalid parameter: ${message}`);
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** SNS's own rules: printable ASCII, no line breaks, starts with a letter, digit or punctuation, < 100 chars. */
function checkSubject(subject: unknown): string | undefined {
  if (subject === undefined) return undefined;
  if (typeof subject !== 'string' || subject.length === 0) {
    throw invalidParameter('Subject (it must not be empty when given)');
  }
  if (subject.length > 99)
    throw invalidParameter(`Subject (it must be at most 99 characters, got ${subject.length})`);
  if (/[\r\n]/.test(subject)) throw invalidParameter('Subject (line breaks are not allowed)');
  for (let i = 0; i < subject.length; i++) {
    const code = subject.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) {
      throw invalidParameter(
        `Subject (only printable ASCII is allowed; character ${i} is U+${code.toString(16).padStart(4, '0').toUpperCase()})`,
      );
    }
  }
  if (subject.startsWith(' '))
    throw invalidParameter('Subject (it must begin with a letter, number or punctuation mark)');
  return subject;
}

function checkStructure(message: string, structure: unknown): string | undefined {
  if (structure === undefined) return undefined;
  if (structure !== 'json') throw invalidParameter('MessageStructure (the only supported value is "json")');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (!isRecord(parsed)) {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  const entries = Object.entries(parsed);
  if (!entries.some(([key, value]) => key === 'default' && typeof value === 'string')) {
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  }
  const nonString = entries.find(([, value]) => typeof value !== 'string');
  if (nonString) {
    throw invalidParameter(`Message Structure - the value for protocol "${nonString[0]}" must be a string`);
  }
  return structure;
}

/** Validates message attributes and returns them flattened, plus the bytes they add to the payload. */
function checkAttributes(raw: unknown): { attributes: Record<string, string>; bytes: number } {
  const attributes: Record<string, string> = {};
  let bytes = 0;
  if (raw === undefined) return { attributes, bytes };
  if (typeof raw !== 'object' || raw === null) throw invalidParameter('MessageAttributes');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_ATTRIBUTES) {
    throw invalidParameter(
      `MessageAttributes Reason: Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`,
    );
  }
  for (const [name, rawValue] of entries) {
    const reason = (text: string) => invalidParameter(`MessageAttributes Reason: ${text}`);
    if (
      name.length === 0 ||
      name.length > 256 ||
      !/^[A-Za-z0-9_.-]+$/.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      /^(aws|amazon)\./i.test(name)
    ) {
      throw reason(`Message attribute name '${name}' is invalid`);
    }
    const value = (typeof rawValue === 'object' && rawValue !== null ? rawValue : {}) as Record<
      string,
      unknown
    >;
    const dataType = value.DataType;
    if (typeof dataType !== 'string' || dataType.length === 0) {
      throw reason(`The message attribute '${name}' must contain a non-empty message attribute type.`);
    }
    const base = dataType.split('.')[0];
    const isArray = dataType === 'String.Array';
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw reason(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    let flat: string;
    if (base === 'Binary') {
      const binary = value.BinaryValue;
      if (!(binary instanceof Uint8Array) || binary.length === 0) {
        throw reason(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
        );
      }
      flat = Buffer.from(binary).toString('base64');
      bytes += binary.length;
    } else {
      const text = value.StringValue;
      if (typeof text !== 'string' || text.length === 0) {
        throw reason(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`,
        );
      }
      if (base === 'Number' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
        throw reason(
          `The message attribute '${name}' with type '${dataType}' has a value that is not a number.`,
        );
      }
      if (isArray) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        const scalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
        if (!Array.isArray(parsed) || !parsed.every(scalar)) {
          throw reason(
            `The message attribute '${name}' with type 'String.Array' must be a JSON array of strings, numbers, booleans or nulls.`,
          );
        }
      }
      flat = text;
      bytes += utf8Bytes(text);
    }
    bytes += utf8Bytes(name) + utf8Bytes(dataType);
    attributes[name] = flat;
  }
  return { attributes, bytes };
}

export class SnsService implements SandboxService {
  readonly name = 'sns' as const;
  readonly operations: Readonly<Record<string, Operation>>;
  private readonly topics = new Map<string, Topic>();
  private messages: StoredMessage[] = [];
  private sequence = 0n;

  constructor(private readonly ctx: AccountContext) {
    this.operations = {
      Publish: (input) => this.publish(input),
      ListTopics: () => ({ Topics: [...this.topics.keys()].map((TopicArn) => ({ TopicArn })) }),
      GetTopicAttributes: (input) => {
        const topic = this.topic(input.TopicArn);
        return {
          Attributes: {
            TopicArn: topic.arn,
            Owner: this.ctx.accountId,
            DisplayName: '',
            SubscriptionsConfirmed: '0',
            SubscriptionsPending: '0',
            SubscriptionsDeleted: '0',
            ...(topic.fifo
              ? { FifoTopic: 'true', ContentBasedDeduplication: String(topic.contentBasedDeduplication) }
              : {}),
          },
        };
      },
    };
  }

  createTopic(name: string, options: TopicOptions = {}): string {
    const fifo = name.endsWith('.fifo');
    const base = fifo ? name.slice(0, -'.fifo'.length) : name;
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(base) || name.length > 256) {
      throw invalidParameter(
        'Topic Name (1-256 letters, digits, hyphens and underscores, optionally ending .fifo)',
      );
    }
    const arn = `arn:${this.ctx.partition}:sns:${this.ctx.region}:${this.ctx.accountId}:${name}`;
    if (!this.topics.has(arn)) {
      this.topics.set(arn, {
        arn,
        name,
        fifo,
        contentBasedDeduplication: options.contentBasedDeduplication ?? false,
      });
    }
    return arn;
  }

  /** Every accepted Publish, oldest first (copies). */
  published(): PublishedMessage[] {
    return this.messages.map(({ topicArn, subject, message, messageStructure, attributes }) => ({
      topicArn,
      ...(subject !== undefined ? { subject } : {}),
      message,
      ...(messageStructure !== undefined ? { messageStructure } : {}),
      attributes: { ...attributes },
    }));
  }

  snapshot(): unknown {
    return { topics: [...this.topics.values()], messages: this.messages, sequence: this.sequence.toString() };
  }

  restore(state: unknown): void {
    const saved = (state ?? {}) as { topics?: Topic[]; messages?: StoredMessage[]; sequence?: string };
    this.topics.clear();
    for (const topic of saved.topics ?? []) this.topics.set(topic.arn, { ...topic });
    this.messages = (saved.messages ?? []).map((m) => ({ ...m, attributes: { ...m.attributes } }));
    this.sequence = BigInt(saved.sequence ?? '0');
  }

  private topic(arn: unknown): Topic {
    if (typeof arn !== 'string' || arn.length === 0) {
      throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
    }
    if (!/^arn:[^:]+:sns:[^:]+:\d{12}:[A-Za-z0-9_.-]+$/.test(arn)) throw invalidParameter('TopicArn');
    const topic = this.topics.get(arn);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', { statusCode: 404 });
    return topic;
  }

  private publish(input: Input): unknown {
    if (input.PhoneNumber !== undefined) throw invalidParameter('PhoneNumber (SMS is not simulated)');
    const topic = this.topic(input.TopicArn ?? input.TargetArn);
    const message = input.Message;
    if (message === undefined || message === null) {
      throw new AwsError(
        'ValidationError',
        "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
      );
    }
    if (typeof message !== 'string' || message.length === 0) throw invalidParameter('Empty message');
    const subject = checkSubject(input.Subject);
    const messageStructure = checkStructure(message, input.MessageStructure);
    const { attributes, bytes } = checkAttributes(input.MessageAttributes);
    // The 256 KiB cap covers the message and its attributes together.
    if (utf8Bytes(message) + bytes > MAX_PAYLOAD_BYTES) throw invalidParameter('Message too long');
    const groupId = input.MessageGroupId;
    const dedupId = input.MessageDeduplicationId;
    if (topic.fifo) {
      if (typeof groupId !== 'string' || groupId.length === 0) {
        throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
      }
      if (dedupId === undefined && !topic.contentBasedDeduplication) {
        throw invalidParameter(
          'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
    } else if (dedupId !== undefined) {
      throw invalidParameter(
        'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      );
    }
    const hex = this.ctx
      .nextId('', 32)
      .replace(/[^0-9a-f]/gi, '')
      .padStart(32, '0')
      .slice(-32);
    const messageId = uuidFromHex(hex);
    const stored: StoredMessage = {
      topicArn: topic.arn,
      message,
      attributes,
      messageId,
      ...(subject !== undefined ? { subject } : {}),
      ...(messageStructure !== undefined ? { messageStructure } : {}),
    };
    if (topic.fifo) {
      this.sequence += 1n;
      stored.messageGroupId = String(groupId);
      if (typeof dedupId === 'string') stored.messageDeduplicationId = dedupId;
      stored.sequenceNumber = `1${this.sequence.toString().padStart(19, '0')}`;
    }
    this.messages.push(stored);
    // Messages are write-only for the pipeline: a long fast replay keeps the newest only (bounded memory).
    if (this.ctx.retention === 'recent' && this.messages.length > 2 * RECENT_RECORDS) {
      this.messages = this.messages.slice(-RECENT_RECORDS);
    }
    return stored.sequenceNumber
      ? { MessageId: messageId, SequenceNumber: stored.sequenceNumber }
      : { MessageId: messageId };
  }
}
