// https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/vms
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../cdktf';

// Configuration

export interface DataXapiVmsConfig extends cdktf.TerraformMetaArguments {
  /**
  * Only VMs carrying all of these tags.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/vms#tags DataXapiVms#tags}
  */
  readonly tags?: string[];
  /**
  * Only VMs in this power state.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/vms#power_state DataXapiVms#power_state}
  */
  readonly powerState?: string;
  /**
  * Only VMs whose name_label matches this regular expression.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/vms#name_regex DataXapiVms#name_regex}
  */
  readonly nameRegex?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/vms xapi_vms}
*/
export class DataXapiVms extends cdktf.TerraformDataSource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "xapi_vms";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a DataXapiVms resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the DataXapiVms to import
  * @param importFromId The id of the existing DataXapiVms that should be imported. Refer to the {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/vms#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the DataXapiVms to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "xapi_vms", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/data-sources/vms xapi_vms} Data Source
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options DataXapiVmsConfig = {}
  */
  public constructor(scope: Construct, id: string, config: DataXapiVmsConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'xapi_vms',
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
    this._tags = config.tags;
    this._powerState = config.powerState;
    this._nameRegex = config.nameRegex;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // tags - computed: false, optional: true, required: false
  private _tags?: string[]; 
  public get tags() {
    return this.getListAttribute('tags');
  }
  public set tags(value: string[]) {
    this._tags = value;
  }
  public resetTags() {
    this._tags = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get tagsInput() {
    return this._tags;
  }

  // power_state - computed: false, optional: true, required: false
  private _powerState?: string; 
  public get powerState() {
    return this.getStringAttribute('power_state');
  }
  public set powerState(value: string) {
    this._powerState = value;
  }
  public resetPowerState() {
    this._powerState = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get powerStateInput() {
    return this._powerState;
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

  // uuids - computed: true, optional: false, required: false
  public get uuids() {
    return this.getListAttribute('uuids');
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      tags: cdktf.listMapper(cdktf.stringToTerraform, false)(this._tags),
      power_state: cdktf.stringToTerraform(this._powerState),
      name_regex: cdktf.stringToTerraform(this._nameRegex),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      tags: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._tags),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
      power_state: {
        value: cdktf.stringToHclTerraform(this._powerState),
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
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
