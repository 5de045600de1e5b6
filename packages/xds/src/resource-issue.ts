/** One reason a resource is rejected. */
export interface ResourceIssue {
  /** JSON path with proto field names, e.g. `filter_chains[0].filters[0].typed_config.stat_prefix`; '' is the resource itself. */
  readonly path: string;
  readonly message: string;
  /** The validate.rules constraint that failed, e.g. `uint32.lte`; absent for JSON decoding errors. */
  readonly rule?: string;
}

/** Thrown by encodeResource and decodeResource; parseResource returns the issues instead. */
export class ResourceValidationError extends Error {
  constructor(
    readonly typeUrl: string,
    readonly issues: readonly ResourceIssue[],
  ) {
    super(
      `invalid ${typeUrl}: ` +
        issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; '),
    );
    this.name = 'ResourceValidationError';
  }
}
