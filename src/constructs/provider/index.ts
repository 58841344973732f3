// https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs
// generated from terraform resource schema

import { Construct } from 'constructs';
import * as cdktf from '../../cdktf';

// Configuration

export interface XapiProviderConfig {
  /**
  * Pool master URL, e.g. `https://xcp-host-1`; falls back to env `XAPI_URL`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#url XapiProvider#url}
  */
  readonly url?: string;
  /**
  * User to log in as; falls back to env `XAPI_USERNAME`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#username XapiProvider#username}
  */
  readonly username?: string;
  /**
  * Name of the environment variable holding the password (default `XAPI_PASSWORD`). Never the password itself.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#password_env XapiProvider#password_env}
  */
  readonly passwordEnv?: string;
  /**
  * PEM file with the CA (or the self-signed certificate) to verify the pool's TLS certificate against.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#ca_file XapiProvider#ca_file}
  */
  readonly caFile?: string;
  /**
  * SHA-256 fingerprint of the pool's certificate (64 hex digits, colons allowed) to pin XAPI's self-signed certificate.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#tls_fingerprint XapiProvider#tls_fingerprint}
  */
  readonly tlsFingerprint?: string;
  /**
  * Skip TLS verification. Must be explicit; the plan header says so.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#insecure XapiProvider#insecure}
  */
  readonly insecure?: boolean | cdktf.IResolvable;
  /**
  * Not allowed: a password written here would be committed in cdk.tf.json. Set `XAPI_PASSWORD` or name another variable in `password_env`.
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#password XapiProvider#password}
  */
  readonly password?: string;
  /**
  * Alias name
  *
  * Docs at Terraform Registry: {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#alias XapiProvider#alias}
  */
  readonly alias?: string;
}

/**
* Represents a {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs xapi}
*/
export class XapiProvider extends cdktf.TerraformProvider {

  // =================
  // STATIC PROPERTIES
  // =================
  public static readonly tfResourceType = "xapi";

  // ==============
  // STATIC Methods
  // ==============
  /**
  * Generates CDKTF code for importing a XapiProvider resource upon running "cdktf plan <stack-name>"
  * @param scope The scope in which to define this construct
  * @param importToId The construct id used in the generated config for the XapiProvider to import
  * @param importFromId The id of the existing XapiProvider that should be imported. Refer to the {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs#import import section} in the documentation of this resource for the id to use
  * @param provider? Optional instance of the provider where the XapiProvider to import is found
  */
  public static generateConfigForImport(scope: Construct, importToId: string, importFromId: string, provider?: cdktf.TerraformProvider) {
        return new cdktf.ImportableResource(scope, importToId, { terraformResourceType: "xapi", importId: importFromId, provider });
      }

  // ===========
  // INITIALIZER
  // ===========

  /**
  * Create a new {@link https://registry.terraform.io/providers/xsnap/xapi/0.1.0/docs xapi} Resource
  *
  * @param scope The scope in which to define this construct
  * @param id The scoped construct ID. Must be unique amongst siblings in the same scope
  * @param options XapiProviderConfig = {}
  */
  public constructor(scope: Construct, id: string, config: XapiProviderConfig = {}) {
    super(scope, id, {
      terraformResourceType: 'xapi',
      terraformGeneratorMetadata: {
        providerName: 'xapi',
        providerVersion: '0.1.0'
      },
      terraformProviderSource: 'registry.terraform.io/xsnap/xapi'
    });
    this._url = config.url;
    this._username = config.username;
    this._passwordEnv = config.passwordEnv;
    this._caFile = config.caFile;
    this._tlsFingerprint = config.tlsFingerprint;
    this._insecure = config.insecure;
    this._password = config.password;
    this._alias = config.alias;
  }

  // ==========
  // ATTRIBUTES
  // ==========

  // url - computed: false, optional: true, required: false
  private _url?: string; 
  public get url() {
    return this._url;
  }
  public set url(value: string | undefined) {
    this._url = value;
  }
  public resetUrl() {
    this._url = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get urlInput() {
    return this._url;
  }

  // username - computed: false, optional: true, required: false
  private _username?: string; 
  public get username() {
    return this._username;
  }
  public set username(value: string | undefined) {
    this._username = value;
  }
  public resetUsername() {
    this._username = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get usernameInput() {
    return this._username;
  }

  // password_env - computed: false, optional: true, required: false
  private _passwordEnv?: string; 
  public get passwordEnv() {
    return this._passwordEnv;
  }
  public set passwordEnv(value: string | undefined) {
    this._passwordEnv = value;
  }
  public resetPasswordEnv() {
    this._passwordEnv = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get passwordEnvInput() {
    return this._passwordEnv;
  }

  // ca_file - computed: false, optional: true, required: false
  private _caFile?: string; 
  public get caFile() {
    return this._caFile;
  }
  public set caFile(value: string | undefined) {
    this._caFile = value;
  }
  public resetCaFile() {
    this._caFile = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get caFileInput() {
    return this._caFile;
  }

  // tls_fingerprint - computed: false, optional: true, required: false
  private _tlsFingerprint?: string; 
  public get tlsFingerprint() {
    return this._tlsFingerprint;
  }
  public set tlsFingerprint(value: string | undefined) {
    this._tlsFingerprint = value;
  }
  public resetTlsFingerprint() {
    this._tlsFingerprint = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get tlsFingerprintInput() {
    return this._tlsFingerprint;
  }

  // insecure - computed: false, optional: true, required: false
  private _insecure?: boolean | cdktf.IResolvable; 
  public get insecure() {
    return this._insecure;
  }
  public set insecure(value: boolean | cdktf.IResolvable | undefined) {
    this._insecure = value;
  }
  public resetInsecure() {
    this._insecure = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get insecureInput() {
    return this._insecure;
  }

  // password - computed: false, optional: true, required: false
  private _password?: string; 
  public get password() {
    return this._password;
  }
  public set password(value: string | undefined) {
    this._password = value;
  }
  public resetPassword() {
    this._password = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get passwordInput() {
    return this._password;
  }

  // alias - computed: false, optional: true, required: false
  private _alias?: string; 
  public get alias() {
    return this._alias;
  }
  public set alias(value: string | undefined) {
    this._alias = value;
  }
  public resetAlias() {
    this._alias = undefined;
  }
  // Temporarily expose input value. Use with caution.
  public get aliasInput() {
    return this._alias;
  }

  // =========
  // SYNTHESIS
  // =========

  protected synthesizeAttributes(): { [name: string]: any } {
    return {
      url: cdktf.stringToTerraform(this._url),
      username: cdktf.stringToTerraform(this._username),
      password_env: cdktf.stringToTerraform(this._passwordEnv),
      ca_file: cdktf.stringToTerraform(this._caFile),
      tls_fingerprint: cdktf.stringToTerraform(this._tlsFingerprint),
      insecure: cdktf.booleanToTerraform(this._insecure),
      password: cdktf.stringToTerraform(this._password),
      alias: cdktf.stringToTerraform(this._alias),
    };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    const attrs = {
      url: {
        value: cdktf.stringToHclTerraform(this._url),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      username: {
        value: cdktf.stringToHclTerraform(this._username),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      password_env: {
        value: cdktf.stringToHclTerraform(this._passwordEnv),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      ca_file: {
        value: cdktf.stringToHclTerraform(this._caFile),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      tls_fingerprint: {
        value: cdktf.stringToHclTerraform(this._tlsFingerprint),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      insecure: {
        value: cdktf.booleanToHclTerraform(this._insecure),
        isBlock: false,
        type: "simple",
        storageClassType: "boolean",
      },
      password: {
        value: cdktf.stringToHclTerraform(this._password),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
      alias: {
        value: cdktf.stringToHclTerraform(this._alias),
        isBlock: false,
        type: "simple",
        storageClassType: "string",
      },
    };

    // remove undefined attributes
    return Object.fromEntries(Object.entries(attrs).filter(([_, value]) => value !== undefined && value.value !== undefined ))
  }
}
