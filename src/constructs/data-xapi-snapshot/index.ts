// https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../cdktf';

// Configuration

export interface DataXapiSnapshotConfig extends cdktf.TerraformMetaArguments {
  /**
  * The VM: its uuid or its exact `name_label`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot#vm DataXapiSnapshot#vm}
  */
  readonly vm: string;
  /**
  * Only snapshots whose name_label matches this regular expression.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot#name_regex DataXapiSnapshot#name_regex}
  */
  readonly nameRegex?: string;
  /**
  * Only snapshots taken by the snapshot schedule (VMSS) with this name_label.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot#schedule DataXapiSnapshot#schedule}
  */
  readonly schedule?: string;
  /**
  * true: only snapshots xsnap manages; false: only the others; unset: both.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot#managed DataXapiSnapshot#managed}
  */
  readonly managed?: boolean | cdktf.IResolvable;
  /**
  * When several match, take the newest (by snapshot_time) instead of failing.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot#most_recent DataXapiSnapshot#most_recent}
  */
  readonly mostRecent?: boolean | cdktf.IResolvable;
}

/**
* Represents a {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot xapi_snapshot}
*/
export class DataXapiSnapshot extends cdktf.TerraformDataSource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "xapi_snapshot";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a DataXapiSnapshot resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the DataXapiSnapshot to import
  * @param importFromId The id of the existing DataXapiSnapshot that should be imported. Refer to the {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the DataXapiSnapshot to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "xapi_snapshot", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/snapshot xapi_snapshot} Data Source
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options DataXapiSnapshotConfig
  */
  public constructor(scope: Construct, id: string, config: DataXapiSnapshotConfig) {
    super(scope, id, {
      terraformResourceType: 'xapi_snapshot',
      terraformGeneratorMetadata: {
        providerName: 'xapi',
        providerVersion: '0.1.0'
      },
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      provisioners: config.provisioners,
      connection: config.connection,
      forEach: config.forEach
    });
    this._vm = config.vm;
    this._nameRegex = config.nameRegex;
    this._schedule = config.schedule;
    this._managed = config.managed;
    this._mostRecent = config.mostRecent;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // vm - computed: false, optional: false, required: true
  private _vm?: string; 
  public get vm() {
    return this.getStringAttribute('vm');
  }
  public set vm(value: string) {
    this._vm = value;
  }
  // Temporarily expose input value. Use with caution.
  public get vmInput() {
    return this._vm;
  }

  // name_regex - computed: false, optional: true, required: false
  private _nameRegex?: string; 
  public get nameRegex() {
    return this.getStringAttribute('name_regex');
  }
  public set nameRegex(value: string) {
    this._nameRegex = value;
  }
  public resetNameRegex() {
    this._nameRegex = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get nameRegexInput() {
    return this._nameRegex;
  }

  // schedule - computed: false, optional: true, required: false
  private _schedule?: string; 
  public get schedule() {
    return this.getStringAttribute('schedule');
  }
  public set schedule(value: string) {
    this._schedule = value;
  }
  public resetSchedule() {
    this._schedule = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get scheduleInput() {
    return this._schedule;
  }

  // managed - computed: false, optional: true, required: false
  private _managed?: boolean | cdktf.IResolvable; 
  public get managed() {
    return this.getBooleanAttribute('managed');
  }
  public set managed(value: boolean | cdktf.IResolvable) {
    this._managed = value;
  }
  public resetManaged() {
    this._managed = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get managedInput() {
    return this._managed;
  }

  // most_recent - computed: false, optional: true, required: false
  private _mostRecent?: boolean | cdktf.IResolvable; 
  public get mostRecent() {
    return this.getBooleanAttribute('most_recent');
  }
  public set mostRecent(value: boolean | cdktf.IResolvable) {
    this._mostRecent = value;
  }
  public resetMostRecent() {
    this._mostRecent = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get mostRecentInput() {
    return this._mostRecent;
  }

  // uuid - computed: true, optional: false, required: false
  public get uuid() {
    return this.getStringAttribute('uuid');
  }

  // name_label - computed: true, optional: false, required: false
  public get nameLabel() {
    return this.getStringAttribute('name_label');
  }

  // snapshot_time - computed: true, optional: false, required: false
  public get snapshotTime() {
    return this.getStringAttribute('snapshot_time');
  }

  // power_state - computed: true, optional: false, required: false
  public get powerState() {
    return this.getStringAttribute('power_state');
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      vm: cdktf.stringToTerraform(this._vm),
      name_regex: cdktf.stringToTerraform(this._nameRegex),
      schedule: cdktf.stringToTerraform(this._schedule),
      managed: cdktf.booleanToTerraform(this._managed),
      most_recent: cdktf.booleanToTerraform(this._mostRecent),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      vm: {
        value: cdktf.stringToHclTerraform(this._vm),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      name_regex: {
        value: cdktf.stringToHclTerraform(this._nameRegex),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      schedule: {
        value: cdktf.stringToHclTerraform(this._schedule),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      managed: {
        value: cdktf.booleanToHclTerraform(this._managed),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      most_recent: {
        value: cdktf.booleanToHclTerraform(this._mostRecent),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
