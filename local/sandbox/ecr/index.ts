export type { EcrImageActionEvent } from './events';
export type {
  EcrSnapshot,
  ImageRecord,
  PutImageInput,
  PutRepositoryInput,
  RepositoryRecord,
} from './records';
export { ECR_RESTORE_MS, EcrService } from './service';
