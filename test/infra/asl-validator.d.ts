// asl-validator 4 ships JavaScript only; this is the part of its API the ASL test uses.
declare module 'asl-validator' {
  interface ValidationError {
    readonly message?: string;
  }
  interface ValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly ValidationError[];
    readonly errorsText: (separator?: string) => string;
  }
  interface ValidationOptions {
    readonly checkPaths?: boolean;
    readonly checkArn?: boolean;
  }
  function aslValidator(definition: unknown, options?: ValidationOptions): ValidationResult;
  export = aslValidator;
}
