"""Stand-in for the OpenAI API (and servers with its API): POST /v1/chat/completions and POST /v1/embeddings,
checked as strictly as the real service (shared/docs/external-apis.md, sections 5 and 8).

- Auth: `Authorization: Bearer <api_key>`; missing -> 401 invalid_request_error with code null, wrong -> 401
  invalid_api_key (the key shown masked, as OpenAI does). accept_any_key = True behaves like Ollama.
- Chat: model (one of chat_models) and non-empty messages required, every role known, content a string or a
  list of text parts, temperature 0..2, max_tokens / max_completion_tokens >= 1, unknown arguments refused;
  response_format json_object needs the word "json" in some message, json_schema needs name and schema.
- Deterministic answers the tests can predict: text mode answers "stand-in answer to: <last user message>";
  JSON mode answers an object built from the schema (json_schema's, or the one a system message carries after
  "Schema: ", as our client sends it): strings "<name>: <last user message>", numbers the length of that
  message, booleans true, arrays one item, enums their first value. Without a schema: {"answer": <message>}.
- Switches (attributes, or POST /__control/openai with the same names): invalid_json (the next N JSON answers
  are not JSON), mismatch (the next N JSON answers are JSON that misses the schema), finish_length (answers
  are cut off: finish_reason "length"), reverse_embeddings (data listed in reverse order; the client must
  order by index), rate_limited (the next N requests get 429 with x-ratelimit-* headers and, when
  rate_limit_retry_after is not None, Retry-After), quota_exhausted (the next N get 429 insufficient_quota,
  no Retry-After).
- Embeddings: model one of embedding_models, input a string or a list (<= 2048) of non-empty strings;
  deterministic unit vectors (1536 numbers for text-embedding-3-small, `dimensions` honoured for the
  text-embedding-3 models), one data item per input with its index; encoding_format float or base64.
- usage, shaped as the real API answers it: chat {prompt_tokens, completion_tokens, total_tokens,
  prompt_tokens_details, completion_tokens_details}, embeddings {prompt_tokens, total_tokens}. Prompt tokens =
  words of the messages (+4 per message) or of the inputs, completion tokens = words of the answer. The totals
  per (model, kind) are kept in `usage` (kind "prompt" and "completion" for chat, "embedding" for the
  prompt_tokens of /embeddings), and `answered` counts the answers that carried a usage, so tests can compare
  them with growthd's figures.
Faults (slow, 5xx, drop, hang, raw bodies) come from the StandIn base; their bodies have OpenAI's error shape.
"""
import base64
import hashlib
import json
import math
import re
import secrets
import struct
import sys
import time

from standin import StandIn, json_answer, serve_forever

ROLES = {"system", "developer", "user", "assistant", "tool"}
CHAT_ARGUMENTS = {"model", "messages", "temperature", "max_tokens", "max_completion_tokens", "response_format",
                  "n", "seed", "stop", "stream", "tools", "user", "top_p"}
EMBEDDING_ARGUMENTS = {"model", "input", "encoding_format", "dimensions", "user"}
EMBEDDING_SIZES = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}
SWITCHES = ("invalid_json", "mismatch", "finish_length", "reverse_embeddings", "rate_limited",
            "rate_limit_retry_after", "quota_exhausted", "accept_any_key")
NAME = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")


def openai_error(status, message, type_, code=None, param=None, headers=None):
    return json_answer(status, {"error": {"message": message, "type": type_, "param": param, "code": code}},
                       headers)


def bad_request(message, param=None, code=None):
    return openai_error(400, message, "invalid_request_error", code, param)


def words(text):
    return len(str(text).split())


def unit_vector(text, size):
    """size numbers from SHA-256 of the text, scaled to length 1."""
    numbers = []
    counter = 0
    while len(numbers) < size:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        numbers.extend((b - 127.5) / 127.5 for b in digest)
        counter += 1
    numbers = numbers[:size]
    norm = math.sqrt(sum(x * x for x in numbers)) or 1.0
    return [round(x / norm, 7) for x in numbers]


class OpenAIStandIn(StandIn):
    def __init__(self, api_key=None, port=0):
        super().__init__(port)
        self.api_key = api_key or "sk-test-" + secrets.token_hex(16)
        self.accept_any_key = False
        self.chat_models = {"gpt-4o-mini", "gpt-4o"}
        self.embedding_models = set(EMBEDDING_SIZES)
        self.invalid_json = 0
        self.mismatch = 0
        self.finish_length = False
        self.reverse_embeddings = False
        self.rate_limited = 0
        self.rate_limit_retry_after = "1"
        self.quota_exhausted = 0
        self.usage = {}   # (model, "prompt"|"completion"|"embedding") -> tokens answered
        self.answered = 0   # answers that carried a usage object
        self.route("POST", r"/v1/chat/completions", self._chat)
        self.route("POST", r"/v1/embeddings", self._embeddings)
        self.route("POST", r"/__control/openai", self._control_switches)

    @property
    def base_url(self):
        return self.url + "/v1"

    # ---- shared checks ----
    def fault_body(self, status, request):
        if status == 429:
            return {"error": {"message": "Rate limit reached (injected)", "type": "requests", "param": None,
                              "code": "rate_limit_exceeded"}}
        if status >= 500:
            return {"error": {"message": "The server had an error while processing your request. Sorry about that!",
                              "type": "server_error", "param": None, "code": None}}
        return {"error": {"message": f"injected status {status}", "type": "invalid_request_error", "param": None,
                          "code": None}}

    def _control_switches(self, request):
        spec = request.json()
        for name, value in spec.items():
            if name not in SWITCHES:
                return json_answer(400, {"error": f"unknown switch {name}"})
            setattr(self, name, value)
        return json_answer(200, {})

    def _ratelimit_headers(self, remaining=4999):
        return {"x-ratelimit-limit-requests": "5000", "x-ratelimit-remaining-requests": str(remaining),
                "x-ratelimit-reset-requests": "12ms" if remaining else "1.5s",
                "x-ratelimit-limit-tokens": "160000", "x-ratelimit-remaining-tokens": "159976",
                "x-ratelimit-reset-tokens": "9ms", "x-request-id": "req_" + secrets.token_hex(12),
                "openai-processing-ms": "7", "openai-version": "2020-10-01"}

    def _gate(self, request, model_hint):
        """The auth, rate-limit and body checks every call shares; an error answer, or None."""
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer ") or not header[7:].strip():
            return openai_error(401, "You didn't provide an API key. You need to provide your API key in an "
                                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                                "invalid_request_error")
        key = header[7:].strip()
        if key != self.api_key and not self.accept_any_key:
            shown = key[:6] + "*" * 3 + key[-4:] if len(key) > 10 else "***"
            return openai_error(401, f"Incorrect API key provided: {shown}. You can find your API key at "
                                "https://platform.openai.com/account/api-keys.", "invalid_request_error",
                                "invalid_api_key")
        with self.lock:
            quota = self.quota_exhausted > 0
            if quota:
                self.quota_exhausted -= 1
            limited = not quota and self.rate_limited > 0
            if limited:
                self.rate_limited -= 1
        if quota:
            return openai_error(429, "You exceeded your current quota, please check your plan and billing details.",
                                "insufficient_quota", "insufficient_quota", headers=self._ratelimit_headers())
        if limited:
            headers = self._ratelimit_headers(remaining=0)
            if self.rate_limit_retry_after is not None:
                headers["Retry-After"] = str(self.rate_limit_retry_after)
            return openai_error(429, f"Rate limit reached for {model_hint} in organization org-test on requests "
                                "per min (RPM): Limit 5000, Used 5000, Requested 1. Please try again in 1.5s.",
                                "requests", "rate_limit_exceeded", headers=headers)
        if not request.headers.get("content-type", "").startswith("application/json"):
            return bad_request("Content-Type must be application/json")
        return None

    def _parse(self, request, allowed):
        try:
            body = json.loads(request.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            return None, bad_request(f"We could not parse the JSON body of your request. ({error})")
        if not isinstance(body, dict):
            return None, bad_request("The request body must be a JSON object.")
        for name in body:
            if name not in allowed:
                return None, bad_request(f"Unrecognized request argument supplied: {name}", name)
        return body, None

    def _count(self, model, counts):
        with self.lock:
            self.answered += 1
            for kind, tokens in counts:
                if tokens:
                    self.usage[(model, kind)] = self.usage.get((model, kind), 0) + tokens

    # ---- chat ----
    def _chat(self, request):
        error = self._gate(request, "gpt-4o-mini")
        if error:
            return error
        body, error = self._parse(request, CHAT_ARGUMENTS)
        if error:
            return error
        model, messages = body.get("model"), body.get("messages")
        if not isinstance(model, str) or not model:
            return bad_request("you must provide a model parameter", "model")
        if not isinstance(messages, list) or not messages:
            return bad_request("[] is too short - 'messages'", "messages", "invalid_value")
        texts = []
        for i, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                return bad_request(f"Invalid value for 'messages[{i}].role'", f"messages[{i}].role", "invalid_value")
            content = message.get("content")
            if isinstance(content, list):
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
            if not isinstance(content, str):
                return bad_request(f"Invalid type for 'messages[{i}].content'", f"messages[{i}].content",
                                   "invalid_type")
            texts.append((message["role"], content))
        temperature = body.get("temperature")
        if temperature is not None and (isinstance(temperature, bool) or not isinstance(temperature, (int, float))
                                        or not 0 <= temperature <= 2):
            return bad_request(f"{temperature} is greater than the maximum of 2 - 'temperature'", "temperature",
                               "invalid_value")
        for name in ("max_tokens", "max_completion_tokens"):
            limit = body.get(name)
            if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
                return bad_request(f"Invalid '{name}': integer below minimum value.", name, "integer_below_min_value")
        schema, json_mode, error = self._response_format(body.get("response_format"), texts)
        if error:
            return error
        if model not in self.chat_models:
            return openai_error(404, f"The model `{model}` does not exist or you do not have access to it.",
                                "invalid_request_error", "model_not_found")
        last_user = next((c for r, c in reversed(texts) if r == "user"), "")
        content = self._answer(json_mode, schema, last_user)
        prompt_tokens = sum(words(c) + 4 for _, c in texts)
        completion_tokens = words(content)
        self._count(model, (("prompt", prompt_tokens), ("completion", completion_tokens)))
        finish = "length" if self.finish_length else "stop"
        answer = {"id": "chatcmpl-" + secrets.token_hex(12), "object": "chat.completion", "created": int(time.time()),
                  "model": model + "-2024-07-18", "system_fingerprint": "fp_standin",
                  "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                               "logprobs": None, "finish_reason": finish}],
                  "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                            "total_tokens": prompt_tokens + completion_tokens,
                            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                          "accepted_prediction_tokens": 0,
                                                          "rejected_prediction_tokens": 0}}}
        return json_answer(200, answer, self._ratelimit_headers())

    def _response_format(self, value, texts):
        """(schema or None, json mode, error answer or None)."""
        if value is None:
            return None, False, None
        if not isinstance(value, dict) or value.get("type") not in ("text", "json_object", "json_schema"):
            return None, False, bad_request("Invalid value for 'response_format.type'", "response_format.type",
                                            "invalid_value")
        kind = value["type"]
        if kind == "text":
            return None, False, None
        if kind == "json_object":
            if not any("json" in content.lower() for _, content in texts):
                return None, False, bad_request("'messages' must contain the word 'json' in some form, to use "
                                                "'response_format' of type 'json_object'.", "messages")
            return self._schema_from_messages(texts), True, None
        spec = value.get("json_schema")
        if not isinstance(spec, dict) or not NAME.match(str(spec.get("name", ""))) or \
                not isinstance(spec.get("schema"), dict):
            return None, False, bad_request("Missing required parameter: 'response_format.json_schema.name' or "
                                            "'schema'", "response_format.json_schema")
        return spec["schema"], True, None

    @staticmethod
    def _schema_from_messages(texts):
        for role, content in texts:
            if role in ("system", "developer") and "Schema: " in content:
                try:
                    return json.loads(content.split("Schema: ", 1)[1])
                except ValueError:
                    return None
        return None

    def _answer(self, json_mode, schema, last_user):
        if not json_mode:
            return f"stand-in answer to: {last_user}"
        with self.lock:
            broken = self.invalid_json > 0
            if broken:
                self.invalid_json -= 1
            off_schema = not broken and self.mismatch > 0
            if off_schema:
                self.mismatch -= 1
        if broken:
            return "Sure! Here is the JSON you asked for: {\"unfinished\": "
        if off_schema:
            return json.dumps({"unexpected": 7})
        value = build_value(schema, "answer", last_user) if schema else {"answer": last_user}
        return json.dumps(value, ensure_ascii=False)

    # ---- embeddings ----
    def _embeddings(self, request):
        error = self._gate(request, "text-embedding-3-small")
        if error:
            return error
        body, error = self._parse(request, EMBEDDING_ARGUMENTS)
        if error:
            return error
        model, given = body.get("model"), body.get("input")
        if not isinstance(model, str) or not model:
            return bad_request("you must provide a model parameter", "model")
        if given is None:
            return bad_request("'input' is a required property", "input")
        inputs = [given] if isinstance(given, str) else given
        if not isinstance(inputs, list) or not inputs or len(inputs) > 2048:
            return bad_request("'input' must be a string or an array of 1 to 2048 strings", "input", "invalid_value")
        for i, text in enumerate(inputs):
            if not isinstance(text, str) or not text:
                return bad_request(f"'$.input[{i}]' is invalid: expected a non-empty string", "input",
                                   "invalid_value")
        encoding = body.get("encoding_format", "float")
        if encoding not in ("float", "base64"):
            return bad_request("'encoding_format' must be float or base64", "encoding_format", "invalid_value")
        if model not in self.embedding_models:
            return openai_error(404, f"The model `{model}` does not exist or you do not have access to it.",
                                "invalid_request_error", "model_not_found")
        size = EMBEDDING_SIZES.get(model, 768)
        dimensions = body.get("dimensions")
        if dimensions is not None:
            if not model.startswith("text-embedding-3") or isinstance(dimensions, bool) or \
                    not isinstance(dimensions, int) or not 1 <= dimensions <= size:
                return bad_request("This model does not support specifying dimensions.", "dimensions")
            size = dimensions
        data = []
        for index, text in enumerate(inputs):
            vector = unit_vector(text, size)
            if encoding == "base64":
                vector = base64.b64encode(struct.pack(f"<{size}f", *vector)).decode()
            data.append({"object": "embedding", "index": index, "embedding": vector})
        if self.reverse_embeddings:
            data.reverse()
        tokens = sum(words(t) for t in inputs)
        self._count(model, (("embedding", tokens),))
        return json_answer(200, {"object": "list", "model": model, "data": data,
                                 "usage": {"prompt_tokens": tokens, "total_tokens": tokens}},
                           self._ratelimit_headers())


def build_value(schema, name, message):
    """A value that conforms to schema (the subset llm_schema understands), predictable from message."""
    if not isinstance(schema, dict):
        return f"{name}: {message}"
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties") or {}
        return {key: build_value(sub, key, message) for key, sub in properties.items()}
    if kind == "array":
        return [build_value(schema.get("items"), name, message)]
    if kind in ("number", "integer"):
        return len(message)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return f"{name}: {message}"


if __name__ == "__main__":
    stand_in = OpenAIStandIn(sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"KEY {stand_in.api_key}", flush=True)
    serve_forever(stand_in)
