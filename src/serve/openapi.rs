//! The OpenAPI 3.0 documents the services publish at `GET /openapi.json`, written by hand
//! (tests/serve.rs checks that every path and method in them is a route the server answers,
//! and that the server answers no other path).

/// The verification service's OpenAPI document.
pub const VERIFY_SERVICE: &str = r##"{
  "openapi": "3.0.3",
  "info": {
    "title": "kyso verification service",
    "version": "1",
    "description": "Verifies signed PDF documents. The report is the JSON of `kyso verify --json` (report schema_version 1). Errors are {\"error\":{\"code\":…,\"message\":…}} with a stable code."
  },
  "paths": {
    "/v1/verify": {
      "post": {
        "summary": "Verify one PDF (the request body, application/pdf), or an enveloping CMS (.p7m) sent as application/pkcs7-mime",
        "parameters": [
          {"name": "at", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Validation time: RFC 3339, or a date (the start of that day in UTC). Default: now."},
          {"name": "revocation", "in": "query", "required": false, "schema": {"type": "string", "enum": ["require", "if-available", "off"]}},
          {"name": "lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["en", "vi"]}, "description": "Language of messages and of format=text."},
          {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "text"]}},
          {"name": "visual", "in": "query", "required": false, "schema": {"type": "string", "enum": ["true", "false"]}, "description": "Compare each signed revision with the final document as rendered (signatures[].visual, visual.* findings). Only when the service offers it (kyso serve verify --visual); false is refused when the service compares every document."}
        ],
        "requestBody": {"required": true, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}, "application/pkcs7-mime": {"schema": {"type": "string", "format": "binary"}}}},
        "responses": {
          "200": {"description": "The verification report (whatever the verdict)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}, "text/plain": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "408": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/verify/detached": {
      "post": {
        "summary": "Verify a detached CMS signature (.p7s) over a file: multipart/form-data with the parts file and signature",
        "parameters": [
          {"name": "at", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "revocation", "in": "query", "required": false, "schema": {"type": "string", "enum": ["require", "if-available", "off"]}},
          {"name": "lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["en", "vi"]}},
          {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "text"]}}
        ],
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file", "signature"], "properties": {"file": {"type": "string", "format": "binary"}, "signature": {"type": "string", "format": "binary"}}}}}},
        "responses": {
          "200": {"description": "The verification report (format cms_detached)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/verify/dossier": {
      "post": {
        "summary": "Verify a whole dossier (kyso dossier verify): multipart/form-data, one part per file, each part's filename its path inside the dossier (kyso-dossier.json, kyso-dossier.json.p7s, decisions/qd-12.pdf); the files are checked in a private directory that is removed afterwards",
        "parameters": [
          {"name": "at", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "revocation", "in": "query", "required": false, "schema": {"type": "string", "enum": ["require", "if-available", "off"]}},
          {"name": "lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["en", "vi"]}},
          {"name": "format", "in": "query", "required": false, "schema": {"type": "string", "enum": ["json", "text"]}},
          {"name": "visual", "in": "query", "required": false, "schema": {"type": "string", "enum": ["true", "false"]}, "description": "As for /v1/verify, for every PDF of the dossier."}
        ],
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "additionalProperties": {"type": "string", "format": "binary"}}}}},
        "responses": {
          "200": {"description": "The dossier report (the JSON of kyso dossier verify --json; directory is \"(uploaded)\")", "content": {"application/json": {"schema": {"type": "object"}}, "text/plain": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "408": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/verify/batch": {
      "post": {
        "summary": "Verify many PDFs: multipart/form-data, one document per part; the answer streams one JSON line per part, then a summary line",
        "parameters": [
          {"name": "at", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "revocation", "in": "query", "required": false, "schema": {"type": "string", "enum": ["require", "if-available", "off"]}},
          {"name": "lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["en", "vi"]}},
          {"name": "visual", "in": "query", "required": false, "schema": {"type": "string", "enum": ["true", "false"]}, "description": "As for /v1/verify, for every part."}
        ],
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "additionalProperties": {"type": "string", "format": "binary"}}}}},
        "responses": {
          "200": {"description": "JSON lines: {\"part\":N,\"name\":…,\"verdict\":…,\"report\":{…}} or {\"part\":N,\"name\":…,\"error\":{…}}, then {\"summary\":{…}}", "content": {"application/jsonl": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/healthz": {"get": {"summary": "The process answers", "responses": {"200": {"description": "{\"status\":\"ok\"}"}}}},
    "/readyz": {"get": {"summary": "Ready for work (503 while stopping)", "responses": {"200": {"description": "{\"status\":\"ready\"}"}, "503": {"$ref": "#/components/responses/Error"}}}},
    "/metrics": {"get": {"summary": "Prometheus text: requests by route and status, verdicts, latency histogram, bytes", "responses": {"200": {"description": "text/plain; version=0.0.4"}}}},
    "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.0"}}}}
  },
  "components": {
    "schemas": {
      "Report": {"type": "object", "description": "kyso's VerificationReport (schema_version, file_size, revisions, validation_time, signatures, findings, summary, embedded_files)"},
      "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string", "enum": ["too_large", "timeout", "busy", "shutting_down", "bad_query", "bad_body", "bad_multipart", "unreadable_document", "not_found", "internal"]}, "message": {"type": "string"}}}}}
    },
    "responses": {
      "Error": {"description": "An error with a stable code", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  }
}
"##;

/// The signing agent's OpenAPI document.
pub const SIGN_AGENT: &str = r##"{
  "openapi": "3.0.3",
  "info": {
    "title": "kyso signing agent",
    "version": "1",
    "description": "Signs PDF documents with the clerk's key, on the clerk's computer (loopback only). Every request needs the pairing token in the X-Kyso-Token header, and an Origin (if any) from the agent's allow-list."
  },
  "components": {
    "securitySchemes": {"pairingToken": {"type": "apiKey", "in": "header", "name": "X-Kyso-Token"}},
    "schemas": {
      "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {"code": {"type": "string", "enum": ["too_large", "timeout", "busy", "bad_query", "bad_body", "unreadable_document", "refused", "signer_failed", "timestamp_failed", "origin_forbidden", "host_forbidden", "token_missing", "token_invalid", "not_found", "internal"]}, "message": {"type": "string"}}}}}
    },
    "responses": {
      "Error": {"description": "An error with a stable code", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "security": [{"pairingToken": []}],
  "paths": {
    "/v1/sign": {
      "post": {
        "summary": "Sign the PDF of the request body; the answer is the signed PDF",
        "parameters": [
          {"name": "field", "in": "query", "required": false, "schema": {"type": "string"}, "description": "An empty signature field to sign, or the name of a new one"},
          {"name": "reason", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "location", "in": "query", "required": false, "schema": {"type": "string"}},
          {"name": "level", "in": "query", "required": false, "schema": {"type": "string", "enum": ["b-b", "b-t"]}, "description": "b-t (a signature timestamp) needs an agent started with --tsa, where it is the default"},
          {"name": "appearance", "in": "query", "required": false, "schema": {"type": "string", "enum": ["portal", "copy-stamp"]}, "description": "A visible signature with this layout (default: invisible)"},
          {"name": "page", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1}},
          {"name": "rect", "in": "query", "required": false, "schema": {"type": "string"}, "description": "x,y,width,height in points"},
          {"name": "position", "in": "query", "required": false, "schema": {"type": "string", "enum": ["top-right", "top-left", "bottom-right", "bottom-left"]}},
          {"name": "lang", "in": "query", "required": false, "schema": {"type": "string", "enum": ["en", "vi"]}}
        ],
        "requestBody": {"required": true, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
        "responses": {
          "200": {"description": "The signed PDF", "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
          "400": {"$ref": "#/components/responses/Error"},
          "401": {"$ref": "#/components/responses/Error"},
          "403": {"$ref": "#/components/responses/Error"},
          "413": {"$ref": "#/components/responses/Error"},
          "422": {"$ref": "#/components/responses/Error"},
          "502": {"$ref": "#/components/responses/Error"},
          "503": {"$ref": "#/components/responses/Error"}
        }
      }
    },
    "/v1/certificates": {
      "get": {
        "summary": "The signing certificate and its chain",
        "responses": {"200": {"description": "{\"certificates\":[{\"subject\",\"issuer\",\"serial\",\"not_before\",\"not_after\",\"sha256\",\"der_hex\"}]}"}, "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}
      }
    },
    "/healthz": {"get": {"summary": "The agent answers (no token needed)", "security": [], "responses": {"200": {"description": "{\"status\":\"ok\"}"}}}},
    "/openapi.json": {"get": {"summary": "This document (no token needed)", "security": [], "responses": {"200": {"description": "OpenAPI 3.0"}}}}
  }
}
"##;
