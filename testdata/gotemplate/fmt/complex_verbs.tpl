{{ printf "%v %g %G" 1.25+2i 1.25+2i 1e30-1e-30i }}
{{ printf "%.3f|%7.1f|%-8.2e|%E" 3-1i 3-1i 0.5i -2i }}
{{ printf "%x %X" 4+0.5i 4+0.5i }}
{{ printf "%d %s %q %t" 1i 1i 1i 1i }}
{{ printf "%T %+v" 2-2i -3i }}
