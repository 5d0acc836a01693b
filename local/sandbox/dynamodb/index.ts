export { DynamoDbService } from './service';
export type { IndexDefinition, KeySchema, TableDefinition } from './table';
export type { AttributeValue, Item, KeyType } from './values';
