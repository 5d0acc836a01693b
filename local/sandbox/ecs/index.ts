export {
  DEFAULT_STOP_TIMEOUT_S,
  FARGATE_MAX_STOP_TIMEOUT_S,
  STOP_STEP_MS,
} from './lifecycle';
export {
  type ClusterRecord,
  type ContainerInstanceRecord,
  type EcsDependencies,
  type EcsSnapshot,
  type PutServiceInput,
  type PutTaskDefinitionInput,
  type PutTaskInput,
  type ServiceRecord,
  STOPPED_TASK_RETENTION_MS,
  type TaskContainerRecord,
  type TaskDefinitionRecord,
  type TaskRecord,
} from './records';
export { EcsService } from './service';
