# bash completion for edgecert and its edgecert-APPLET links.
# The applets and their options are read from the binary's own --help, so
# this file never falls out of step with it.
_edgecert() {
	local cur prev applet words
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	case ${COMP_WORDS[0]##*/} in
	edgecert-*) applet=${COMP_WORDS[0]##*/edgecert-}; applet=${applet#edgecert-} ;;
	*)
		local w
		for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
			case $w in -*) ;; *) applet=$w; break ;; esac
		done
		;;
	esac
	case $prev in
	--store) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "text json kv" -- "$cur")); return ;;
	--section) COMPREPLY=($(compgen -W "personal ca root crl pending assigned all" -- "$cur")); return ;;
	--profile)
		if [ "$applet" = export ]; then
			COMPREPLY=($(compgen -W "modern compat" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "rfc5280 webpki" -- "$cur"))
		fi
		return ;;
	--verify-profile) COMPREPLY=($(compgen -W "low medium high" -- "$cur")); return ;;
	--chain)
		if [ "$applet" = export ]; then
			COMPREPLY=($(compgen -W "full no-root end-entity" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return ;;
	--in|--inf|--out|--cert|--crl|--password-file|--pin-file|--token-module)
		COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--token)
		# the tokens the PKCS#11 modules show (p11tool, gnutls-bin)
		COMPREPLY=($(compgen -W "$(p11tool --list-token-urls 2>/dev/null)" -- "$cur"))
		return ;;
	--purpose) COMPREPLY=($(compgen -W "server client any server,client" -- "$cur")); return ;;
	--deploy-hook) COMPREPLY=($(compgen -c -- "$cur")); return ;;
	--owner) COMPREPLY=($(compgen -u -- "$cur")); return ;;
	--group) COMPREPLY=($(compgen -g -- "$cur")); return ;;
	--interface)
		COMPREPLY=($(compgen -W "$(edgecert list --section assigned --format kv 2>/dev/null |
			sed -n "s/^items_[0-9]*_interface='\([a-z0-9-]*\)'\$/\1/p")" -- "$cur"))
		return ;;
	esac
	if [ -z "$applet" ] && [[ $cur != -* ]]; then
		words=$(edgecert --help 2>/dev/null | sed -n '/^applets:/,/^$/s/^  \([a-z-]*\) .*/\1/p')
	else
		words=$(edgecert $applet --help 2>/dev/null | grep -o -- '--[a-z-]*' | sort -u)
		words="$words --store --format --check --wait --status-fd --quiet --help --version"
		words="$words --token --token-module --pin-file --pin-env --pin-fd"
		words=$(printf '%s\n' $words | sort -u)
	fi
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _edgecert edgecert
