// https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../cdktf';

// Configuration

export interface VmRevertConfig extends cdktf.TerraformMetaArguments {
  /**
  * The VM: its uuid or its exact `name_label`. A name that matches no VM or several VMs is a plan-time error listing the candidates; control domains, templates and snapshots never match.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert#vm VmRevert#vm}
  */
  readonly vm: string;
  /**
  * The snapshot or checkpoint to revert to: its uuid or a reference such as `${xapi_checkpoint.pre_upgrade.uuid}`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert#snapshot VmRevert#snapshot}
  */
  readonly snapshot: string;
  /**
  * Any string. The revert runs once per new value; keep it unchanged to revert nothing.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert#revert_token VmRevert#revert_token}
  */
  readonly revertToken: string;
  /**
  * Take a snapshot of the VM before reverting, so the state being thrown away can be recovered.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert#safety_snapshot VmRevert#safety_snapshot}
  */
  readonly safetySnapshot?: boolean | cdktf.IResolvable;
  /**
  * After the revert, start (or resume) the VM when the snapshot was taken while it was Running.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert#restore_power_state VmRevert#restore_power_state}
  */
  readonly restorePowerState?: boolean | cdktf.IResolvable;
}

/**
* Represents a {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert xapi_vm_revert}
*/
export class VmRevert extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "xapi_vm_revert";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a VmRevert resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the VmRevert to import
  * @param importFromId The id of the existing VmRevert that should be imported. Refer to the {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the VmRevert to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "xapi_vm_revert", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/vm_revert xapi_vm_revert} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options VmRevertConfig
  */
  public constructor(scope: Construct, id: string, config: VmRevertConfig) {
    super(scope, id, {
      terraformResourceType: 'xapi_vm_revert',
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
    this._snapshot = config.snapshot;
    this._revertToken = config.revertToken;
    this._safetySnapshot = config.safetySnapshot;
    this._restorePowerState = config.restorePowerState;
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

  // snapshot - computed: false, optional: false, required: true
  private _snapshot?: string; 
  public get snapshot() {
    return this.getStringAttribute('snapshot');
  }
  public set snapshot(value: string) {
    this._snapshot = value;
  }
  // Temporarily expose input value. Use with caution.
  public get snapshotInput() {
    return this._snapshot;
  }

  // revert_token - computed: false, optional: false, required: true
  private _revertToken?: string; 
  public get revertToken() {
    return this.getStringAttribute('revert_token');
  }
  public set revertToken(value: string) {
    this._revertToken = value;
  }
  // Temporarily expose input value. Use with caution.
  public get revertTokenInput() {
    return this._revertToken;
  }

  // safety_snapshot - computed: false, optional: true, required: false
  private _safetySnapshot?: boolean | cdktf.IResolvable; 
  public get safetySnapshot() {
    return this.getBooleanAttribute('safety_snapshot');
  }
  public set safetySnapshot(value: boolean | cdktf.IResolvable) {
    this._safetySnapshot = value;
  }
  public resetSafetySnapshot() {
    this._safetySnapshot = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get safetySnapshotInput() {
    return this._safetySnapshot;
  }

  // restore_power_state - computed: false, optional: true, required: false
  private _restorePowerState?: boolean | cdktf.IResolvable; 
  public get restorePowerState() {
    return this.getBooleanAttribute('restore_power_state');
  }
  public set restorePowerState(value: boolean | cdktf.IResolvable) {
    this._restorePowerState = value;
  }
  public resetRestorePowerState() {
    this._restorePowerState = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get restorePowerStateInput() {
    return this._restorePowerState;
  }

  // vm_uuid - computed: true, optional: false, required: false
  public get vmUuid() {
    return this.getStringAttribute('vm_uuid');
  }

  // reverted_at - computed: true, optional: false, required: false
  public get revertedAt() {
    return this.getStringAttribute('reverted_at');
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      vm: cdktf.stringToTerraform(this._vm),
      snapshot: cdktf.stringToTerraform(this._snapshot),
      revert_token: cdktf.stringToTerraform(this._revertToken),
      safety_snapshot: cdktf.booleanToTerraform(this._safetySnapshot),
      restore_power_state: cdktf.booleanToTerraform(this._restorePowerState),
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
      snapshot: {
        value: cdktf.stringToHclTerraform(this._snapshot),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      revert_token: {
        value: cdktf.stringToHclTerraform(this._revertToken),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      safety_snapshot: {
        value: cdktf.booleanToHclTerraform(this._safetySnapshot),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      restore_power_state: {
        value: cdktf.booleanToHclTerraform(this._restorePowerState),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
