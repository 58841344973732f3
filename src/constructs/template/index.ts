// https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../cdktf';

// Configuration

export interface TemplateConfig extends cdktf.TerraformMetaArguments {
  /**
  * The snapshot or checkpoint: its uuid or a reference such as `${xapi_snapshot.web.uuid}`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template#source Template#source}
  */
  readonly source: string;
  /**
  * Name of the template; updates in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template#name_label Template#name_label}
  */
  readonly nameLabel: string;
  /**
  * Description shown in XenCenter / Xen Orchestra; updates in place.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template#name_description Template#name_description}
  */
  readonly nameDescription?: string;
  /**
  * SR (uuid or name_label) to copy the disks into; unset means a fast clone on the source's SRs.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template#sr Template#sr}
  */
  readonly sr?: string;
  /**
  * When true, a plan that would destroy or replace this object is refused.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template#protect Template#protect}
  */
  readonly protect?: boolean | cdktf.IResolvable;
}

/**
* Represents a {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template xapi_template}
*/
export class Template extends cdktf.TerraformResource {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "xapi_template";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a Template resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the Template to import
  * @param importFromId The id of the existing Template that should be imported. Refer to the {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the Template to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "xapi_template", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs/resources/template xapi_template} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options TemplateConfig
  */
  public constructor(scope: Construct, id: string, config: TemplateConfig) {
    super(scope, id, {
      terraformResourceType: 'xapi_template',
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
    this._source = config.source;
    this._nameLabel = config.nameLabel;
    this._nameDescription = config.nameDescription;
    this._sr = config.sr;
    this._protect = config.protect;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // source - computed: false, optional: false, required: true
  private _source?: string; 
  public get source() {
    return this.getStringAttribute('source');
  }
  public set source(value: string) {
    this._source = value;
  }
  // Temporarily expose input value. Use with caution.
  public get sourceInput() {
    return this._source;
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

  // sr - computed: false, optional: true, required: false
  private _sr?: string; 
  public get sr() {
    return this.getStringAttribute('sr');
  }
  public set sr(value: string) {
    this._sr = value;
  }
  public resetSr() {
    this._sr = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get srInput() {
    return this._sr;
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

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      source: cdktf.stringToTerraform(this._source),
      name_label: cdktf.stringToTerraform(this._nameLabel),
      name_description: cdktf.stringToTerraform(this._nameDescription),
      sr: cdktf.stringToTerraform(this._sr),
      protect: cdktf.booleanToTerraform(this._protect),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      source: {
        value: cdktf.stringToHclTerraform(this._source),
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
      sr: {
        value: cdktf.stringToHclTerraform(this._sr),
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
