{{ fromToml "" }} {{ fromToml "# only a comment\n" }} {{ typeOf (fromToml "") }} {{ len (fromToml "\n\n") }}
