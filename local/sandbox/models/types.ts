/**
 * The committed constraint data (`constraints.json`): for each service, the input shape of every operation
 * shield-right calls and, recursively, the botocore shapes that carry a constraint. A shape absent from
 * `shapes` has none. Written by `extract.ts`, read by `validate.ts`.
 */

export interface StructureShape {
  readonly type: 'structure';
  readonly required?: readonly string[];
  /** Member name (as the SDK v3 input names it) to shape name; only members whose shape has constraints. */
  readonly members?: Readonly<Record<string, string>>;
}

export interface ListShape {
  readonly type: 'list';
  readonly member?: string;
  readonly min?: number;
  readonly max?: number;
}

export interface MapShape {
  readonly type: 'map';
  readonly key?: string;
  readonly value?: string;
  readonly min?: number;
  readonly max?: number;
}

/** string, blob (lengths), integer/long/float/double (values); `pattern` is an anchored `u`-flag RegExp source. */
export interface ScalarShape {
  readonly type: 'string' | 'blob' | 'integer' | 'long' | 'float' | 'double';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
}

export type Shape = StructureShape | ListShape | MapShape | ScalarShape;

export interface ServiceConstraints {
  readonly model: string;
  /** Operation name to its input shape name (null: the operation takes no input). */
  readonly operations: Readonly<Record<string, string | null>>;
  readonly shapes: Readonly<Record<string, Shape>>;
}

export interface ConstraintData {
  readonly source: {
    readonly repository: string;
    readonly commit: string;
    readonly generator: string;
  };
  readonly notes: readonly string[];
  readonly services: Readonly<Record<string, ServiceConstraints>>;
}
