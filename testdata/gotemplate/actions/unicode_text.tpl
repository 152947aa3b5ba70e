héllo ✓ {{ "wörld" }}
