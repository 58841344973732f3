/**
 * The shape of xsnap's provider schema. One `ResourceSchema` per resource or data source type is the
 * single source of truth: the Terraform `providers schema -json` document (and so the generated
 * constructs), the docs pages, config validation and the engine's metadata are all derived from it.
 */

/** Value types an attribute can hold (Terraform's type constraints, restricted to what xsnap uses). */
export type AttrType = "string" | "number" | "bool" | "list(string)";

export type ResourceMode = "managed" | "data";

/** A closed numeric interval, both ends included (`retained_snapshots` 1..10). */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
}

export type DefaultValue = string | number | boolean | readonly string[];

export interface AttributeSchema {
  readonly name: string;
  readonly type: AttrType;
  /** Becomes the docs text and the construct's TSDoc. */
  readonly description: string;
  /** Must be configured. */
  readonly required?: boolean;
  /** May be configured (an input). Computed attributes that are also optional are inputs too. */
  readonly optional?: boolean;
  /** Known after apply (or after reading the pool for data sources). */
  readonly computed?: boolean;
  /**
   * Cannot be updated in place: a change means a new object. For point-in-time kinds (see
   * `ResourceSchema.pointInTime`) such a change is refused unless `retake_token` changes or --replace.
   */
  readonly immutable?: boolean;
  /** The value (or every element of a list) must be one of these. */
  readonly enum?: readonly string[];
  readonly range?: NumberRange;
  /** Filled into the desired model when the attribute is not configured. */
  readonly default?: DefaultValue;
  /** Never printed; only the provider's `password` is, so that a literal one can be refused. */
  readonly sensitive?: boolean;
  /** A configured value that can never be valid (the provider's literal `password`). */
  readonly forbidden?: string;
  /** A string that must compile as a regular expression. */
  readonly regex?: boolean;
  /** A string that must not be empty (`vm`, `name_label`, ...). */
  readonly nonEmpty?: boolean;
}

/** A nested configuration block such as the schedule's `schedule { min hour days }`; at most one. */
export interface BlockSchema {
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeSchema[];
}

export interface ResourceSchema {
  /** Terraform type name, e.g. `xapi_snapshot`. */
  readonly type: string;
  readonly mode: ResourceMode;
  /** First paragraph of the docs page. */
  readonly description: string;
  readonly attributes: readonly AttributeSchema[];
  readonly blocks: readonly BlockSchema[];
  /**
   * The object captures a VM's state when it is created (snapshot, checkpoint): changing an
   * immutable attribute is an error unless `retake_token` changes or the address is --replace'd.
   */
  readonly pointInTime?: boolean;
  /** A short TypeScript usage snippet for the docs page (constructs imported from "xsnap"). */
  readonly example?: string;
  /** Groups of attributes of which exactly one must be configured (`data.xapi_vm`: name_label or uuid). */
  readonly exactlyOneOf?: readonly (readonly string[])[];
}

export interface ProviderSchemaDef {
  readonly description: string;
  readonly attributes: readonly AttributeSchema[];
}
