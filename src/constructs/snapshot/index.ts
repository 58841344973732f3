// https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../cdktf';

// Configuration

export interface SnapshotConfig extends cdktf.TerraformMetaArguments {
  /**
  * The VM: its uuid or its exact `name_label`. A name that matches no VM or several VMs is a plan-time error listing the candidates; control domains, templates and snapshots never match.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#vm Snapshot#vm}
  */
  readonly vm: string;
  /**
  * Name of the snapshot; updates in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#name_label Snapshot#name_label}
  */
  readonly nameLabel: string;
  /**
  * Description shown in XenCenter / Xen Orchestra; updates in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#name_description Snapshot#name_description}
  */
  readonly nameDescription?: string;
  /**
  * `uninstall` (default) destroys the object and the disks it owns, like `xe snapshot-uninstall`; `keep_disks` destroys only the metadata, like `xe snapshot-destroy`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#on_destroy Snapshot#on_destroy}
  */
  readonly onDestroy?: string;
  /**
  * Any string. Changing it replaces the object with a new one taken at apply time; it is also what allows a change of an immutable attribute.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#retake_token Snapshot#retake_token}
  */
  readonly retakeToken?: string;
  /**
  * When true, a plan that would destroy or replace this object is refused.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#protect Snapshot#protect}
  */
  readonly protect?: boolean | cdktf.IResolvable;
  /**
  * Quiesce the guest through VSS first. Removed on Citrix Hypervisor 8.1+ / XCP-ng 8.x (plan-time error there: use `xapi_checkpoint`); elsewhere Windows guests only.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#quiesce Snapshot#quiesce}
  */
  readonly quiesce?: boolean | cdktf.IResolvable;
  /**
  * Disks (VDI uuids or name_labels) to leave out of the snapshot; passed as `ignore_vdis` only when set.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#ignore_disks Snapshot#ignore_disks}
  */
  readonly ignoreDisks?: string[];
}

/**
* Represents a {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot xapi_snapshot}
*/
export class Snapshot extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "xapi_snapshot";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Snapshot resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Snapshot to import
  * @param importFromId The id of the existing Snapshot that should be imported. Refer to the {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Snapshot to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "xapi_snapshot", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/snapshot xapi_snapshot} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options SnapshotConfig
  */
  public constructor(scope: Construct, id: string, config: SnapshotConfig) {
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
    this._nameLabel = config.nameLabel;
    this._nameDescription = config.nameDescription;
    this._onDestroy = config.onDestroy;
    this._retakeToken = config.retakeToken;
    this._protect = config.protect;
    this._quiesce = config.quiesce;
    this._ignoreDisks = config.ignoreDisks;
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

  // quiesce - computed: false, optional: true, required: false
  private _quiesce?: boolean | cdktf.IResolvable; 
  public get quiesce() {
    return this.getBooleanAttribute('quiesce');
  }
  public set quiesce(value: boolean | cdktf.IResolvable) {
    this._quiesce = value;
  }
  public resetQuiesce() {
    this._quiesce = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get quiesceInput() {
    return this._quiesce;
  }

  // ignore_disks - computed: false, optional: true, required: false
  private _ignoreDisks?: string[]; 
  public get ignoreDisks() {
    return this.getListAttribute('ignore_disks');
  }
  public set ignoreDisks(value: string[]) {
    this._ignoreDisks = value;
  }
  public resetIgnoreDisks() {
    this._ignoreDisks = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get ignoreDisksInput() {
    return this._ignoreDisks;
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
      quiesce: cdktf.booleanToTerraform(this._quiesce),
      ignore_disks: cdktf.listMapper(cdktf.stringToTerraform, false)(this._ignoreDisks),
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
      quiesce: {
        value: cdktf.booleanToHclTerraform(this._quiesce),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      ignore_disks: {
        value: cdktf.listMapperHcl(cdktf.stringToHclTerraform, false)(this._ignoreDisks),
        isBlock: false,
        type: "list",
        storageClassType: "stringList",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
