{{ unixEpoch .s }}
