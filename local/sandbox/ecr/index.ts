export type {
  EcrSnapshot,
  ImageRecord,
  PutImageInput,
  PutRepositoryInput,
  RepositoryRecord,
} from './records';
export { EcrService } from './service';
