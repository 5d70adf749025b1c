# Converts tests/vectors/verify.json into the tab-separated lines tests/c/vectors.c reads
# (one case per line; see the layout there). Fails on a value the line format cannot carry.
.cases[]
| [ .name, .input, .expected_state, (.expected_platform // ""),
    ((.leeway // 0) | tostring),
    (if has("max_lifetime") then (.max_lifetime // -1) else 3600 end | tostring),
    (.now | tostring) ]
  + (if .result.ok then
       ["ok", .result.ok.platform, .result.ok.platform_id, .result.ok.handle, .result.ok.state,
        (.result.ok.expires | tostring)]
     else
       [.result.error, (.result.parameter // ""),
        # "=" marks a present code, so that an empty one differs from none.
        (if .result | has("code") then "=" + .result.code else "" end), "", "", ""]
     end)
  + .secrets
| if any(.[]; test("[\t\n\r]")) then error("a value contains a tab or a line break: \(.[0])")
  else join("\t") end
