def topic_matches(f, t):
    f = f.split("/")
    t = t.split("/")
    for i in range(len(f)):
        if f[i] == "#":
            return True
        if i >= len(t) or (f[i] != "+" and f[i] != t[i]):
            return False
    return len(f) == len(t)
