// Process-wide jest setup: cdktf's matchers (types come from the adapter import).
import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
Testing.setupJest();
