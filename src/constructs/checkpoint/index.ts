// https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../cdktf';

// Configuration

export interface CheckpointConfig extends cdktf.TerraformMetaArguments {
  /**
  * The VM: its uuid or its exact `name_label`. A name that matches no VM or several VMs is a plan-time error listing the candidates; control domains, templates and snapshots never match.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint#vm Checkpoint#vm}
  */
  readonly vm: string;
  /**
  * Name of the checkpoint; updates in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint#name_label Checkpoint#name_label}
  */
  readonly nameLabel: string;
  /**
  * Description shown in XenCenter / Xen Orchestra; updates in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint#name_description Checkpoint#name_description}
  */
  readonly nameDescription?: string;
  /**
  * `uninstall` (default) destroys the object and the disks it owns, like `xe snapshot-uninstall`; `keep_disks` destroys only the metadata, like `xe snapshot-destroy`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint#on_destroy Checkpoint#on_destroy}
  */
  readonly onDestroy?: string;
  /**
  * Any string. Changing it replaces the object with a new one taken at apply time; it is also what allows a change of an immutable attribute.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint#retake_token Checkpoint#retake_token}
  */
  readonly retakeToken?: string;
  /**
  * When true, a plan that would destroy or replace this object is refused.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint#protect Checkpoint#protect}
  */
  readonly protect?: boolean | cdktf.IResolvable;
}

/**
* Represents a {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint xapi_checkpoint}
*/
export class Checkpoint extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "xapi_checkpoint";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Checkpoint resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Checkpoint to import
  * @param importFromId The id of the existing Checkpoint that should be imported. Refer to the {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Checkpoint to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "xapi_checkpoint", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/checkpoint xapi_checkpoint} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options CheckpointConfig
  */
  public constructor(scope: Construct, id: string, config: CheckpointConfig) {
    super(scope, id, {
      terraformResourceType: 'xapi_checkpoint',
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
    this._nameLabel = config.nameLabel;
    this._nameDescription = config.nameDescription;
    this._onDestroy = config.onDestroy;
    this._retakeToken = config.retakeToken;
    this._protect = config.protect;
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

  // name_label - computed: false, optional: false, required: true
  private _nameLabel?: string; 
  public get nameLabel() {
    return this.getStringAttribute('name_label');
  }
  public set nameLabel(value: string) {
    this._nameLabel = value;
  }
  // Temporarily expose input value. Use with caution.
  public get nameLabelInput() {
    return this._nameLabel;
  }

  // name_description - computed: false, optional: true, required: false
  private _nameDescription?: string; 
  public get nameDescription() {
    return this.getStringAttribute('name_description');
  }
  public set nameDescription(value: string) {
    this._nameDescription = value;
  }
  public resetNameDescription() {
    this._nameDescription = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get nameDescriptionInput() {
    return this._nameDescription;
  }

  // on_destroy - computed: false, optional: true, required: false
  private _onDestroy?: string; 
  public get onDestroy() {
    return this.getStringAttribute('on_destroy');
  }
  public set onDestroy(value: string) {
    this._onDestroy = value;
  }
  public resetOnDestroy() {
    this._onDestroy = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get onDestroyInput() {
    return this._onDestroy;
  }

  // retake_token - computed: false, optional: true, required: false
  private _retakeToken?: string; 
  public get retakeToken() {
    return this.getStringAttribute('retake_token');
  }
  public set retakeToken(value: string) {
    this._retakeToken = value;
  }
  public resetRetakeToken() {
    this._retakeToken = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get retakeTokenInput() {
    return this._retakeToken;
  }

  // protect - computed: false, optional: true, required: false
  private _protect?: boolean | cdktf.IResolvable; 
  public get protect() {
    return this.getBooleanAttribute('protect');
  }
  public set protect(value: boolean | cdktf.IResolvable) {
    this._protect = value;
  }
  public resetProtect() {
    this._protect = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get protectInput() {
    return this._protect;
  }

  // uuid - computed: true, optional: false, required: false
  public get uuid() {
    return this.getStringAttribute('uuid');
  }

  // vm_uuid - computed: true, optional: false, required: false
  public get vmUuid() {
    return this.getStringAttribute('vm_uuid');
  }

  // snapshot_time - computed: true, optional: false, required: false
  public get snapshotTime() {
    return this.getStringAttribute('snapshot_time');
  }

  // disk_uuids - computed: true, optional: false, required: false
  public get diskUuids() {
    return this.getListAttribute('disk_uuids');
  }

  // power_state - computed: true, optional: false, required: false
  public get powerState() {
    return this.getStringAttribute('power_state');
  }

  // memory_bytes - computed: true, optional: false, required: false
  public get memoryBytes() {
    return this.getNumberAttribute('memory_bytes');
  }

  // estimated_bytes - computed: true, optional: false, required: false
  public get estimatedBytes() {
    return this.getNumberAttribute('estimated_bytes');
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      vm: cdktf.stringToTerraform(this._vm),
      name_label: cdktf.stringToTerraform(this._nameLabel),
      name_description: cdktf.stringToTerraform(this._nameDescription),
      on_destroy: cdktf.stringToTerraform(this._onDestroy),
      retake_token: cdktf.stringToTerraform(this._retakeToken),
      protect: cdktf.booleanToTerraform(this._protect),
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
      name_label: {
        value: cdktf.stringToHclTerraform(this._nameLabel),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      name_description: {
        value: cdktf.stringToHclTerraform(this._nameDescription),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      on_destroy: {
        value: cdktf.stringToHclTerraform(this._onDestroy),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      retake_token: {
        value: cdktf.stringToHclTerraform(this._retakeToken),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      protect: {
        value: cdktf.booleanToHclTerraform(this._protect),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
